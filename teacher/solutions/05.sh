#!/bin/sh
# Exercise 5: scrape every 10 seconds; Prometheus picks it up when node1 is provisioned (a reload).
set -e
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: 10s/' "${LAB_FILE:-lab.yaml}"
vagrant provision node1
