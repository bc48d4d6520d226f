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
cat > answers/9.test.yml <<'TEST'
rule_files:
  - /etc/prometheus/rules/promlab.rules.yml
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'node_memory_MemTotal_bytes{node="n1"}'
        values: '2048+0x20'
      - series: 'node_memory_MemAvailable_bytes{node="n1"}'
        values: '512+0x20'
    promql_expr_test:
      - expr: node:memory_used:ratio
        eval_time: 1m
        exp_samples:
          - labels: 'node:memory_used:ratio{node="n1"}'
            value: 0.75
TEST
