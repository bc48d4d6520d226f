#!/bin/sh
# Exercise 11, another right way: a datasource variable, the load in a stat panel, the uid written with a dash.
set -e
python3 - <<'BOARD'
import json
ds = {"type": "prometheus", "uid": "${datasource}"}
panel = {"id": 1, "type": "stat", "title": "Load now", "datasource": ds, "gridPos": {"h": 4, "w": 8, "x": 0, "y": 0},
         "targets": [{"refId": "A", "datasource": ds, "expr": "max by (node) (node_load1)", "instant": True}]}
variable = {"name": "datasource", "type": "datasource", "query": "prometheus", "current": {"value": "promlab-prometheus"}}
board = {"uid": "my-workshop", "title": "My workshop", "schemaVersion": 39, "templating": {"list": [variable]},
         "panels": [panel]}
open("templates/dashboards/workshop.json", "w").write(json.dumps(board, indent=2) + "\n")
BOARD
vagrant provision node1
