#!/bin/sh
# Exercise 6: node7 without node_exporter (a machine Prometheus has nothing to scrape on).
echo '  - {name: node7, roles: [postgres_exporter]}' >> "${LAB_FILE:-lab.yaml}"
