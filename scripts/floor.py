"""The floor under `make up` (issue 15): the least work that gives the brief's targets on the docker provider.

Six containers of the node image (systemd as PID 1, as the lab's), Debian's two packages (prometheus on the
Prometheus node, prometheus-node-exporter on the others), one configuration scraping Prometheus itself and each
node_exporter at lab.yaml's interval, timed from nothing until every target is up. No validation, no users,
no hardening, no checks: what the lab does beyond this is what `make up` costs above the floor.
`make bench --floor` sets it beside `make up` of the lab reduced to the brief.

Its containers and network are its own (name and label promlab-floor, on a network of their own), removed at
the end, also on failure; it never touches the lab's machines. It talks only to its own containers.

    python3 -m scripts.floor
"""

import ipaddress
import json
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from host import container
from labclient.lab import loaded
from provision import inventory
from provision.waiting import until
from scripts.docker_image import TAGS

NAME = "promlab-floor"
SUBNET = ipaddress.ip_network("172.30.56.0/24")  # beside the lab's network, never the same


def machines(lab):
    """[(name, address, package)]: the Prometheus node and each node_exporter node, on the floor's own network
    (the same last number as in lab.yaml)."""
    wanted = [lab.prometheus_node, *lab.nodes_with("node_exporter")]
    return [(n.name, str(SUBNET[int(ipaddress.ip_address(n.ip)) % 256]),
             "prometheus" if n is lab.prometheus_node else "prometheus-node-exporter") for n in wanted]


def config(lab, nodes):
    """prometheus.yml: Prometheus itself and every node_exporter, at lab.yaml's interval (JSON is YAML)."""
    port = lab.components["node_exporter"]["port"]
    targets = [f"{address}:{port}" for _, address, package in nodes if package != "prometheus"]
    return json.dumps({"global": {"scrape_interval": lab.scrape_interval},
                       "scrape_configs": [{"job_name": "prometheus", "static_configs": [{"targets": ["localhost:9090"]}]},
                                          {"job_name": "node", "static_configs": [{"targets": targets}]}]}, indent=2)


def docker(*args, stdin=None):
    proc = subprocess.run(["docker", *args], input=stdin, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"docker {' '.join(args[:3])}: {proc.stderr.strip()[-500:]}")
    return proc.stdout


def boot(name, address):
    docker("run", "--detach", f"--name={NAME}-{name}", f"--hostname={name}", f"--label={NAME}={inventory.REPO}",
           f"--network={NAME}", f"--ip={address}", *container.SYSTEMD, TAGS[0])
    until(lambda: subprocess.run(["docker", "exec", f"{NAME}-{name}", "systemctl", "is-system-running"],
                                    capture_output=True, text=True).stdout.strip(),
             lambda state: state in ("running", "degraded"), 120, f"systemd running in {name}")


def install(name, package, prometheus_yml=None):
    where = f"{NAME}-{name}"
    docker("exec", "--env=DEBIAN_FRONTEND=noninteractive", where, "apt-get", "install", "-y", "-q",
           "--no-install-recommends", package)
    if prometheus_yml:
        docker("exec", "-i", where, "sh", "-c", "cat > /etc/prometheus/prometheus.yml", stdin=prometheus_yml)
        docker("exec", where, "systemctl", "restart", "prometheus")


def active_health(address):
    with urllib.request.urlopen(f"http://{address}:9090/api/v1/targets", timeout=5) as r:
        return [t["health"] for t in json.load(r)["data"]["activeTargets"]]


def clean():
    names = docker("ps", "--all", "--quiet", f"--filter=label={NAME}={inventory.REPO}").split()
    if names:
        docker("rm", "--force", *names)
    subprocess.run(["docker", "network", "rm", NAME], capture_output=True)


def measure(lab):
    """{part: seconds} from nothing to every target up: containers, packages and configuration, first scrapes."""
    nodes = machines(lab)
    prometheus_yml = config(lab, nodes)
    clean()
    start = time.monotonic()
    try:
        docker("network", "create", f"--subnet={SUBNET}", f"--label={NAME}={inventory.REPO}", NAME)
        with ThreadPoolExecutor(len(nodes)) as pool:
            list(pool.map(lambda n: boot(n[0], n[1]), nodes))
            booted = time.monotonic()
            list(pool.map(lambda n: install(n[0], n[2], prometheus_yml if n[2] == "prometheus" else None), nodes))
        installed = time.monotonic()
        until(lambda: active_health(nodes[0][1]), lambda h: len(h) == len(nodes) and set(h) == {"up"}, 180,
                 f"the floor's {len(nodes)} targets up")
        green = time.monotonic()
    finally:
        clean()
    return {"containers started, systemd running": booted - start, "packages installed, configuration written": installed - booted,
            "first scrapes": green - installed, "total": green - start}


def main():
    parts = measure(loaded())
    print(", ".join(f"{what} {seconds:.1f} s" for what, seconds in parts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
