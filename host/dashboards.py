"""Generate the lab's Grafana dashboards into templates/dashboards/*.json.

    python3 -m host.dashboards        # rewrite the JSON files
    python3 -m host.dashboards --check  # exit 1 when a file differs from what this generates

The JSON files are checked in; tests/test_grafana_files.py keeps them in sync with
this generator. Every panel refers to the provisioned datasource by the uid in
lab.yaml (components.grafana.datasource_uid); none uses a ${DS_...} placeholder.
"""

import json
import sys

from provision import inventory
from provision.render import TEMPLATES
from provision.roles import ROLES, contract

OUT = TEMPLATES / "dashboards"
NODE = '{node="$node"}'
FS = 'node="$node", fstype!~"tmpfs|ramfs|squashfs|fuse.*"'


def panel(title, targets, unit="short", kind="timeseries", width=12, stack=False, description=""):
    """A panel: targets is [(expr, legend)]; placed later by layout()."""
    return {"title": title, "type": kind, "description": description, "unit": unit, "stack": stack,
            "width": width, "targets": targets}


NODES = [
    panel("Targets up", [('up{node="$node"}', "{{job}}")], kind="stat", width=6,
          description="1: the target answered its last scrape; 0: it did not"),
    panel("Load", [(f"node_load1{NODE}", "1m"), (f"node_load5{NODE}", "5m"), (f"node_load15{NODE}", "15m")], width=18),
    panel("CPU use per mode", [('avg by (mode) (rate(node_cpu_seconds_total{node="$node", mode!="idle"}[$__rate_interval]))',
                                "{{mode}}")], unit="percentunit", stack=True,
          description="Share of CPU time spent in each mode except idle, averaged over the CPUs"),
    panel("Memory", [(f"node_memory_MemTotal_bytes{NODE} - node_memory_MemAvailable_bytes{NODE}", "used"),
                     (f"node_memory_MemAvailable_bytes{NODE}", "available")], unit="bytes", stack=True),
    panel("Disk I/O", [(f"sum by (device) (rate(node_disk_read_bytes_total{NODE}[$__rate_interval]))", "{{device}} read"),
                       (f"sum by (device) (rate(node_disk_written_bytes_total{NODE}[$__rate_interval]))", "{{device}} written")],
          unit="Bps"),
    panel("Filesystem use per mountpoint", [(f"1 - node_filesystem_avail_bytes{{{FS}}} / node_filesystem_size_bytes{{{FS}}}",
                                             "{{mountpoint}}")], unit="percentunit"),
    panel("Network traffic per interface",
          [('rate(node_network_receive_bytes_total{node="$node", device!="lo"}[$__rate_interval]) * 8', "{{device}} in"),
           ('rate(node_network_transmit_bytes_total{node="$node", device!="lo"}[$__rate_interval]) * 8', "{{device}} out")],
          unit="bps"),
]

PROMETHEUS = [
    panel("Targets up", [("sum(up)", "up"), ("count(up)", "all")], kind="stat", width=8),
    panel("Targets", [("up", "{{job}} {{node}}")], width=16, description="1: up, 0: down, per target"),
    panel("Scrape duration", [("scrape_duration_seconds", "{{job}} {{node}}")], unit="s"),
    panel("Samples ingested", [("rate(prometheus_tsdb_head_samples_appended_total[$__rate_interval])", "samples/s")], unit="short"),
    panel("Series in the head block", [("prometheus_tsdb_head_series", "series")]),
    panel("Last configuration reload", [("prometheus_config_last_reload_successful", "successful")], kind="stat",
          description="1: the configuration loaded at the last reload was valid"),
]

# The servers the exporters watch, one row of panels per exporter; ROLE_OF says which role a panel
# needs (labtests skip its queries, saying so, when lab.yaml gives no node that role).
RATE = "[$__rate_interval]"


def server_row(server, up, level, rate):
    """A server's row: whether its exporter reaches it (a stat), a level and a rate; (name, expr, unit) each,
    {rate} in the rate's expr standing for the rate window."""
    return [panel(f"{server} up", [(up, "{{node}}")], kind="stat", width=6),
            panel(f"{server} {level[0]}", [(level[1], "{{node}}")], unit=level[2], width=9),
            panel(f"{server} {rate[0]}", [(rate[1].replace("{rate}", RATE), "{{node}}")], unit=rate[2], width=9)]


SERVICES_BY_ROLE = {
    "blackbox_exporter": [
        panel("Probes succeeding", [("probe_success", "{{job}} {{instance}}")], width=12,
              description="blackbox_exporter: 1 when the endpoint, ping or SSH port answered"),
        panel("Probe duration", [("probe_duration_seconds", "{{instance}}")], unit="s", width=12),
    ],
    **{role: server_row(*contract(role).dashboard) for role in ROLES if contract(role).dashboard},
}
SERVICES = [p for panels in SERVICES_BY_ROLE.values() for p in panels]

# The teacher's view (the classroom role, examples/classroom.yaml): progress the students' labs report, as metrics
# with a `student` label. State per student and exercise: 0 not started, 1 trying, 2 done.
STATE = ("max by (student, exercise) (2 * promlab_classroom_exercise_passed + (promlab_classroom_exercise_attempts "
         "> bool 0) * (1 - promlab_classroom_exercise_passed))")
CLASSROOM = [
    panel("Exercises done per student", [("sum by (student) (promlab_classroom_exercise_passed)", "{{student}}")],
          kind="bargauge", width=12, description="exercises whose last check passed"),
    panel("Students without a report for 2 minutes",
          [("count(time() - promlab_classroom_last_report_timestamp_seconds > 120) or vector(0)", "late"),
           ("count(promlab_classroom_student unless on (student) promlab_classroom_last_report_timestamp_seconds) "
            "or vector(0)", "never")], kind="stat", width=12),
    panel("Exercise state per student", [(STATE, "{{student}} ex {{exercise}}")], kind="table", width=24,
          description="0: not started, 1: trying (checked, not passed yet), 2: done"),
    panel("Hints asked per student", [("sum by (student) (promlab_classroom_exercise_hint)", "{{student}}")],
          width=12),
    panel("Lab health: targets up, out of expected",
          [("promlab_classroom_targets_up / promlab_classroom_targets_expected", "{{student}}")], unit="percentunit",
          width=12),
    panel("Reports received", [("sum by (result) (rate(promlab_classroom_reports_total[$__rate_interval]))",
                                "{{result}}")], unit="reqps", width=24),
]
ROLE_OF = {("services.json", p["title"]): role for role, panels in SERVICES_BY_ROLE.items() for p in panels}
ROLE_OF.update({("classroom.json", p["title"]): "classroom" for p in CLASSROOM})


def layout(panels, datasource):
    """Grafana panels: ids, grid positions, datasource by uid, queries."""
    placed, x, y = [], 0, 0
    for number, p in enumerate(panels, start=1):
        if x + p["width"] > 24:
            x, y = 0, y + 8
        placed.append({
            "id": number,
            "type": p["type"],
            "title": p["title"],
            "description": p["description"],
            "gridPos": {"h": 8, "w": p["width"], "x": x, "y": y},
            "datasource": datasource,
            "fieldConfig": {"defaults": {"unit": p["unit"],
                                         "custom": {"stacking": {"mode": "normal" if p["stack"] else "none"}}},
                            "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
            "targets": [{"refId": chr(ord("A") + i), "datasource": datasource, "expr": expr, "legendFormat": legend, "range": True}
                        for i, (expr, legend) in enumerate(p["targets"])],
        })
        x += p["width"]
    return placed


def dashboard(uid, title, panels, datasource, variables=()):
    return {
        "uid": uid,
        "title": title,
        "tags": ["promlab"],
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "timezone": "browser",
        "templating": {"list": list(variables)},
        "panels": layout(panels, datasource),
    }


def node_variable(datasource):
    query = "label_values(node_uname_info, node)"
    return {"name": "node", "label": "Node", "type": "query", "datasource": datasource, "query": query,
            "definition": query, "refresh": 2, "sort": 1, "includeAll": False, "multi": False}


def generate(datasource_uid):
    """{file name: dashboard} for the datasource uid."""
    datasource = {"type": "prometheus", "uid": datasource_uid}
    return {
        "nodes.json": dashboard("promlab-nodes", "Nodes", NODES, datasource, [node_variable(datasource)]),
        "prometheus.json": dashboard("promlab-prometheus-server", "Prometheus", PROMETHEUS, datasource),
        "services.json": dashboard("promlab-services", "Services", SERVICES, datasource),
        "classroom.json": dashboard("promlab-classroom", "Classroom", CLASSROOM, datasource),
    }


def as_text(board):
    return json.dumps(board, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    uid = inventory.load().components["grafana"]["datasource_uid"]
    stale = []
    for name, board in generate(uid).items():
        path = OUT / name
        if "--check" in argv:
            if not path.is_file() or path.read_text() != as_text(board):
                stale.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(as_text(board))
            print(path)
    if stale:
        print(f"out of date: {', '.join(stale)}; run `python3 -m host.dashboards`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
