#!/bin/sh
# Exercise 6, written another way: quoted name, its own memory and CPU count, the roles as a block list.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
set -e
printf '  - name: "node7"\n    memory: 768\n    cpus: 1\n    roles:\n    - node_exporter\n' >> lab.yaml
vagrant up node7
vagrant provision node1
