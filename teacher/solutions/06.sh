#!/bin/sh
# Exercise 6: node7, with the next free address; then Prometheus learns about it.
set -e
echo '  - {name: node7, roles: [node_exporter]}' >> "${LAB_FILE:-lab.yaml}"
vagrant up node7
vagrant provision node1
