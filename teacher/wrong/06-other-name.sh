#!/bin/sh
# Exercise 6: a seventh machine, but not named as asked.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
echo '  - {name: node07, roles: [node_exporter]}' >> lab.yaml
