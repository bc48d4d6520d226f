#!/bin/sh
# Exercise 4: nginx and its exporter on node6, from lab.yaml (one word), then node1 scrapes it.
set -e
perl -pi -e 's/^(  - \{name: node6, .*roles: \[node_exporter)\]/$1, nginx_exporter]/' lab.yaml
vagrant provision node6 node1
