"""Wait until the lab is green: every target lab.yaml implies is up in Prometheus.

    python3 -m labtests.green [--timeout SECONDS]

Prints progress while it waits. Exit 1 on timeout, naming what was last seen.
`make up` ends with it, then with the status view (labtests/status.py) and its URLs.
"""

import sys
import time

from labtests.lab import LAB, scraped_nodes
from labtests.prom import Prometheus


def status(prometheus):
    """{(job, node): health} for the targets lab.yaml implies ('absent' when Prometheus lacks one)."""
    seen = {(t["labels"]["job"], t["labels"].get("node")): t["health"] for t in prometheus.targets()}
    return {target: seen.get(target, "absent") for target in scraped_nodes()}


def wait_green(timeout=180, out=sys.stdout):
    prometheus = Prometheus(LAB)
    start = time.monotonic()
    last, shown = "Prometheus not answering yet", None
    while time.monotonic() - start < timeout:
        try:
            health = status(prometheus)
            up = sum(h == "up" for h in health.values())
            last = ", ".join(f"{job}/{node}: {h}" for (job, node), h in sorted(health.items()) if h != "up")
            if up == len(health):
                print(f"promlab: green after {time.monotonic() - start:.0f}s: {up}/{len(health)} targets up", file=out)
                return True
            line = f"promlab: waiting, {up}/{len(health)} targets up ({last})"
        except Exception as e:  # noqa: BLE001 - not answering yet is what we wait through
            line = f"promlab: waiting for Prometheus at {prometheus.url} ({type(e).__name__})"
            last = str(e)
        if line != shown:
            print(line, file=out, flush=True)
            shown = line
        time.sleep(1)
    print(f"promlab: not green after {timeout}s; last seen: {last}", file=out)
    return False


def urls():
    prometheus = Prometheus(LAB)
    lines = [f"Prometheus  {prometheus.url}  (menu Status → Target health; Alerts)"]
    if LAB.nodes_with("grafana"):
        from labtests.grafana import base_url

        user = LAB.components["grafana"]["admin_user"]
        lines.append(f"Grafana     {base_url()}  (sign in as {user}, password: components.grafana.admin_password in lab.yaml"
                     " or $LAB_GRAFANA_PASSWORD)")
    elif "grafana" in LAB.skipped_roles:
        lines.append("Grafana     not in this lab (LAB_SKIP_ROLES names it)")
    for node in LAB.nodes_with("alertmanager"):
        port = LAB.components["alertmanager"]["port"]
        lines.append(f"Alertmanager http://{node.ip}:{port}  (on the lab network; Prometheus' Alerts page shows the same alerts)")
    return lines


def main(argv):
    timeout = float(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else 180
    return 0 if wait_green(timeout) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
