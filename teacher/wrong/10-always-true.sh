#!/bin/sh
# expect: the alert would fire with no load at all
# The shortcut: a threshold every node is always over. It fires, is received and silenced: all for nothing.
set -e
vagrant ssh node1 -c 'sudo tee /etc/prometheus/rules/load.rules.yml >/dev/null' <<'RULES'
groups:
  - name: workshop-load
    rules:
      - alert: HighLoad
        expr: node_load1 >= 0
RULES
vagrant ssh node1 -c 'sudo systemctl reload prometheus'
until curl -s http://127.0.0.1:9090/api/v1/alerts | grep -q '"alertname":"HighLoad".*"state":"firing"\|"state":"firing".*"alertname":"HighLoad"'; do sleep 3; done
until curl -s http://192.168.56.11:9095/alerts | grep -q HighLoad; do sleep 2; done
vagrant ssh node1 -c 'amtool silence add alertname=HighLoad --comment=shortcut --duration=1h --alertmanager.url=http://192.168.56.11:9093'
