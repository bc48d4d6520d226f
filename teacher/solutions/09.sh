#!/bin/sh
# Exercise 9: the recording rule in its own file on node1, and a promtool unit test of it in answers/.
set -e
vagrant ssh node1 -c 'sudo tee /etc/prometheus/rules/recording.rules.yml >/dev/null' <<'RULES'
groups:
  - name: workshop-recording
    rules:
      - record: node:memory_used:ratio
        expr: 1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes
RULES
vagrant ssh node1 -c 'sudo promtool check rules /etc/prometheus/rules/recording.rules.yml && sudo systemctl reload prometheus'
mkdir -p answers
cp teacher/9.test.yml answers/9.test.yml
