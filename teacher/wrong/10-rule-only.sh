#!/bin/sh
# Exercise 10: the rule written and loaded again after the exercise's reset, nothing loaded since: it has not fired in
# this attempt, whatever fired before the reset.
set -e
vagrant ssh node1 -c 'sudo tee /etc/prometheus/rules/load.rules.yml >/dev/null' <<'RULES'
groups:
  - name: workshop-load
    rules:
      - alert: HighLoad
        expr: node_load1 > 2.5
        for: 15s
RULES
vagrant ssh node1 -c 'sudo promtool check rules /etc/prometheus/rules/load.rules.yml && sudo systemctl reload prometheus'
