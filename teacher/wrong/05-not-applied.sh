#!/bin/sh
# Exercise 5: lab.yaml changed, the machine never provisioned.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: 10s/' lab.yaml
