#!/bin/sh
# expect: machine node7 is 'not created'
echo '  - {name: node7, roles: [node_exporter]}' >> lab.yaml
