#!/bin/sh
# Exercise 11: a dashboard file with a row, a node variable and a load panel; Grafana (when the lab has it)
# shows it after provisioning.
set -e
python3 - <<'BOARD'
import json
ds = {"type": "prometheus", "uid": "promlab-prometheus"}
load = {"id": 2, "type": "timeseries", "title": "Load of $node", "datasource": ds, "gridPos": {"h": 8, "w": 24, "x": 0, "y": 1},
        "targets": [{"refId": "A", "datasource": ds, "expr": 'node_load1{node=~"$node"}', "legendFormat": "{{node}}"}]}
row = {"id": 1, "type": "row", "title": "Load", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0}, "panels": [load]}
node = {"name": "node", "type": "query", "datasource": ds, "query": "label_values(node_load1, node)", "refresh": 1,
        "includeAll": True, "multi": True, "current": {"text": "All", "value": "$__all"}}
board = {"uid": "workshop", "title": "Workshop", "schemaVersion": 39, "editable": False,
         "time": {"from": "now-1h", "to": "now"}, "templating": {"list": [node]}, "panels": [row]}
with open("templates/dashboards/workshop.json", "w") as f:
    f.write(json.dumps(board, indent=2) + "\n")
BOARD
vagrant provision node1
