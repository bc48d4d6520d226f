#!/bin/sh
# Exercise 11, as Grafana reads it: an interval variable with options and no current value (Grafana takes the first),
# a node variable from label_values, the panels inside a collapsed row, datasources named by type only (Grafana then
# uses the default one, the lab's), and a panel of the alerts firing, rightly empty on a healthy lab.
set -e
python3 - <<'BOARD'
import json
window = {"name": "window", "type": "interval", "query": "5m,15m,1h",
          "options": [{"text": w, "value": w, "selected": False} for w in ("5m", "15m", "1h")]}
node = {"name": "node", "type": "query", "query": "label_values(node_load1, node)", "refresh": 1}
load = {"id": 2, "type": "timeseries", "title": "Load, smoothed", "datasource": {"type": "prometheus"},
        "gridPos": {"h": 8, "w": 12, "x": 0, "y": 1},
        "targets": [{"refId": "A", "expr": 'avg_over_time(node_load1{node="$node"}[$window])'}]}
firing = {"id": 3, "type": "table", "title": "Alerts firing", "gridPos": {"h": 8, "w": 12, "x": 12, "y": 1},
          "targets": [{"refId": "A", "expr": 'ALERTS{alertstate="firing"}', "instant": True}]}
row = {"id": 1, "type": "row", "title": "This node", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
       "panels": [load, firing]}
board = {"uid": "workshop-grafana", "title": "Workshop, as Grafana reads it", "schemaVersion": 39,
         "time": {"from": "now-3h", "to": "now"}, "templating": {"list": [window, node]}, "panels": [row]}
open("templates/dashboards/workshop.json", "w").write(json.dumps(board, indent=2) + "\n")
BOARD
vagrant provision node1
