#!/bin/sh
# Exercise 11: a dashboard without a uid (Grafana makes one up, another at every import).
python3 - <<'BOARD'
import json
ds = {"type": "prometheus", "uid": "promlab-prometheus"}
panel = {"id": 1, "type": "timeseries", "title": "Load", "datasource": ds,
         "targets": [{"refId": "A", "datasource": ds, "expr": "node_load1"}]}
open("templates/dashboards/workshop.json", "w").write(json.dumps({"title": "Mine", "panels": [panel]}, indent=2) + "\n")
BOARD
