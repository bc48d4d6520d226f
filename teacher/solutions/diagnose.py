"""Exercise 12 done as a student would: read Prometheus' targets and *_up metrics, find the cause, repair it,
write the diagnosis in answers/12.yaml (the node, the cause, a query that shows the symptom, notes).
Options: --french (the notes in French, another query), --terse (no notes, one query for every kind of fault);
for the wrong attempts --no-repair, --vague (no cause chosen), --guesses (every cause listed), --wrong-node (another
node named), --wrong-cause (another kind of cause), --names-node (a query that names the node instead of showing the symptom)."""

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

PROMETHEUS = "http://127.0.0.1:9090"


def get(path, **params):
    with urllib.request.urlopen(f"{PROMETHEUS}{path}?{urllib.parse.urlencode(params)}", timeout=10) as reply:
        return json.load(reply)["data"]


def on(node, command):
    subprocess.run(["vagrant", "ssh", node, "-c", f"sudo {command}"], check=True, capture_output=True)


FRENCH = {"stopped": "node_exporter était arrêté sur {node}", "route": "{node} était injoignable depuis node1 : une route "
          "blackhole sur node1", "lockout": "l'exporter de {node} ne pouvait plus se connecter à son serveur (droits retirés)"}


def diagnose():
    """(node, cause, repair, kind): what a student would conclude."""
    down = [t for t in get("/api/v1/targets", state="active")["activeTargets"] if t["health"] != "up"]
    nodes = sorted({t["labels"].get("node") for t in down if t["labels"]["job"] != "blackbox_icmp"} - {None})
    if down:
        node = nodes[0]
        errors = " ".join(t["lastError"] for t in down if t["labels"].get("node") == node)
        if "refused" in errors:
            return node, f"node_exporter was stopped on {node}", lambda: on(node, "systemctl start node_exporter"), "stopped"
        return (node, f"{node} was unreachable from node1: a blackhole route on node1",
                lambda: on("node1", "sh -c 'ip route show type blackhole | while read -r _ dst; do ip route del blackhole $dst; done'"),
                "route")
    for metric in ("pg_up", "mysql_up", "nginx_up", "redis_up"):
        for s in get("/api/v1/query", query=f"{metric} == 0")["result"]:
            node = s["metric"]["node"]
            return (node, f"the exporter on {node} could not log in to its server (its user or access was taken away)",
                    lambda node=node: subprocess.run(["vagrant", "provision", node], check=True, capture_output=True), "lockout")
    raise SystemExit("nothing is broken")


# The query a student writes once they know what they saw: the symptom, over every node.
QUERIES = {"stopped": 'up{job="node"} == 0', "route": "up == 0 and on (node) (probe_success == 0)",
           "lockout": '{__name__=~"(pg|mysql|nginx|redis)_up"} == 0'}
ANY = '(up == 0) or ({__name__=~"(pg|mysql|nginx|redis)_up"} == 0)'


def quoted(text):
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string


node, cause, repair, kind = diagnose()
os.makedirs("answers", exist_ok=True)
if "--no-repair" not in sys.argv:
    repair()
query, notes, chosen = QUERIES[kind], cause, kind
if "--vague" in sys.argv:
    chosen, notes = "something broke", "Something was wrong somewhere."
elif "--guesses" in sys.argv:
    chosen = "stopped, route or lockout"
elif "--wrong-node" in sys.argv:
    node = "node6" if node != "node6" else "node5"
elif "--wrong-cause" in sys.argv:
    chosen = "lockout" if kind != "lockout" else "stopped"
elif "--names-node" in sys.argv:
    query = f'up{{node="{node}"}}'
elif "--terse" in sys.argv:
    query, notes = ANY, ""
elif "--french" in sys.argv:
    query, notes = f"min by (node) ({QUERIES[kind]})", FRENCH[kind].format(node=node)
with open("answers/12.yaml", "w") as f:
    f.write(f"node: {quoted(node)}\ncause: {quoted(chosen)}\nquery: {quoted(query)}\n")
    if notes:
        f.write(f"notes: {quoted(notes)}\n")
