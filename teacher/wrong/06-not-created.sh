#!/bin/sh
# Exercise 6: node7 added to lab.yaml, its machine never brought up.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
echo '  - {name: node7, roles: [node_exporter]}' >> lab.yaml
