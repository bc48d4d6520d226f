#!/bin/sh
echo '  - {name: node7, roles: [node_exporter]}' >> "${LAB_FILE:-lab.yaml}"
