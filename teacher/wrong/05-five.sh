#!/bin/sh
# Exercise 5: faster than asked (5 seconds), applied.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
set -e
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: 5s/' lab.yaml
vagrant provision node1
