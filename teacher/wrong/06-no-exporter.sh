#!/bin/sh
# Exercise 6: node7 without node_exporter (a machine Prometheus has nothing to scrape on).
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
echo '  - {name: node7, roles: [postgres_exporter]}' >> lab.yaml
