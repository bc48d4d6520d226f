#!/bin/sh
# expect: an export for grafana.com
python3 - <<'BOARD'
import json
ds = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
panel = {"id": 1, "type": "timeseries", "title": "Load", "datasource": ds,
         "targets": [{"refId": "A", "datasource": ds, "expr": "node_load1"}]}
board = {"uid": "mine", "title": "Mine", "panels": [panel]}
open("templates/dashboards/workshop.json", "w").write(json.dumps(board, indent=2) + "\n")
BOARD
