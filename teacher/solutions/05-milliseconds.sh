#!/bin/sh
# Exercise 5, written another way: ten seconds in milliseconds, quoted, with a comment of the student's.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
set -e
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: "10000ms"   # ten seconds, for the workshop/' lab.yaml
vagrant provision node1
