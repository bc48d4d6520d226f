#!/bin/sh
echo '  - {name: node7, roles: [node_exporter]}' >> lab.yaml
