#!/bin/sh
# Exercise 6: node7 made, Prometheus' machine never provisioned.
set -e
echo '  - {name: node7, roles: [node_exporter]}' >> "${LAB_FILE:-lab.yaml}"
vagrant up node7
