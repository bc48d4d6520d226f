#!/bin/sh
# Exercise 9: a test that names only the lab's own rule file: it passes, and tests nothing of the student's rule.
set -e
sh teacher/solutions/09.sh
cat > answers/9.test.yml <<'TEST'
rule_files:
  - /etc/prometheus/rules/promlab.rules.yml
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'up{job="node", node="n1"}'
        values: '1+0x10'
    alert_rule_test:
      - eval_time: 1m
        alertname: InstanceDown
        exp_alerts: []
TEST
