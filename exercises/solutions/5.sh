#!/bin/sh
# Exercise 5: an alert on the load, checked with promtool, loaded by a reload; then make node3 busy.
set -e
vagrant ssh node1 -c 'sudo tee /etc/prometheus/rules/workshop.rules.yml >/dev/null' <<'RULES'
groups:
  - name: workshop
    rules:
      - alert: HighLoad
        expr: node_load1 > 0.5
        for: 30s
        labels:
          severity: warning
        annotations:
          summary: "load of {{ $labels.node }} is {{ $value }}"
RULES
vagrant ssh node1 -c 'sudo promtool check rules /etc/prometheus/rules/workshop.rules.yml && sudo systemctl reload prometheus'
# Two busy loops for two minutes: the load rises above 0.5 within a minute.
vagrant ssh node3 -c 'for i in 1 2; do nohup timeout 120 sh -c "while :; do :; done" >/dev/null 2>&1 & done'
