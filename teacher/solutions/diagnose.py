"""Exercise 12 done as a student would: read Prometheus' targets and *_up metrics, find the cause, repair it,
write it down. Options: --french (the diagnosis in French), --terse (in a few words); for the wrong attempts --no-repair, --vague, --guesses
(every cause listed), --wrong-node (another node named)."""

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


TERSE = {"stopped": "{node}: node_exporter down", "route": "{node}: no route from node1 (blackhole)",
         "lockout": "{node}: exporter login refused by its server"}
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


node, cause, repair, kind = diagnose()
os.makedirs("answers", exist_ok=True)
if "--no-repair" not in sys.argv:
    repair()
if "--vague" in sys.argv:
    cause = "Something was wrong somewhere."
elif "--guesses" in sys.argv:
    cause = f"On {node}: maybe node_exporter stopped, or the network route, or the exporter's login to its server."
elif "--wrong-node" in sys.argv:
    cause = cause.replace(node, "node6" if node != "node6" else "node5")
elif "--terse" in sys.argv:
    cause = TERSE[kind].format(node=node)
elif "--french" in sys.argv:
    cause = FRENCH[kind].format(node=node)
with open("answers/12.txt", "w") as f:
    f.write(cause + "\n")
