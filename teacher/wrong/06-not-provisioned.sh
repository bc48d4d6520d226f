#!/bin/sh
# Exercise 6: node7 made, Prometheus' machine never provisioned.
set -e
echo '  - {name: node7, roles: [node_exporter]}' >> lab.yaml
vagrant up node7
