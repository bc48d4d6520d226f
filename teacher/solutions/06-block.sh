#!/bin/sh
# Exercise 6, written another way: a block entry with its address written out, and a comment.
# (lab.yaml even when LAB_FILE names an example: examples/forky.yaml takes its scrape interval and nodes from it.)
set -e
cat >> lab.yaml <<'NODE'
  - name: node7        # added for the workshop
    ip: 192.168.56.17
    roles:
      - node_exporter
NODE
vagrant up node7
vagrant provision node1
