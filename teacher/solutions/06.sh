#!/bin/sh
# Exercise 6: node7, with the next free address; then Prometheus learns about it.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
set -e
echo '  - {name: node7, roles: [node_exporter]}' >> lab.yaml
vagrant up node7
vagrant provision node1
