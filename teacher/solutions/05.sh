#!/bin/sh
# Exercise 5: scrape every 10 seconds; Prometheus picks it up when node1 is provisioned (a reload).
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
set -e
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: 10s/' lab.yaml
vagrant provision node1
