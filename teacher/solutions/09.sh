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
cat > answers/9.test.yml <<'TEST'
rule_files:
  - /etc/prometheus/rules/recording.rules.yml
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'node_memory_MemTotal_bytes{node="n1"}'
        values: '1000+0x20'
      - series: 'node_memory_MemAvailable_bytes{node="n1"}'
        values: '250+0x20'
    promql_expr_test:
      - expr: node:memory_used:ratio
        eval_time: 2m
        exp_samples:
          - labels: 'node:memory_used:ratio{node="n1"}'
            value: 0.75
TEST
