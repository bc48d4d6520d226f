#!/bin/sh
# Exercise 6: a seventh machine, but not named as asked.
echo '  - {name: node07, roles: [node_exporter]}' >> "${LAB_FILE:-lab.yaml}"
