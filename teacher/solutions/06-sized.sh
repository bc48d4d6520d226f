#!/bin/sh
# Exercise 6, written another way: quoted name, its own memory and CPU count, the roles as a block list.
set -e
printf '  - name: "node7"\n    memory: 768\n    cpus: 1\n    roles:\n    - node_exporter\n' >> "${LAB_FILE:-lab.yaml}"
vagrant up node7
vagrant provision node1
