#!/bin/sh
# Exercise 6: a dashboard file with a load panel; Grafana (when the lab has it) shows it after provisioning.
set -e
python3 - <<'BOARD'
import json
ds = {"type": "prometheus", "uid": "promlab-prometheus"}
panel = {"id": 1, "type": "timeseries", "title": "Load per node", "datasource": ds,
         "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0},
         "targets": [{"refId": "A", "datasource": ds, "expr": "node_load1", "legendFormat": "{{node}}"}]}
board = {"uid": "workshop", "title": "Workshop", "schemaVersion": 39, "editable": False,
         "time": {"from": "now-1h", "to": "now"}, "panels": [panel]}
with open("templates/dashboards/workshop.json", "w") as f:
    f.write(json.dumps(board, indent=2) + "\n")
BOARD
vagrant provision node1
