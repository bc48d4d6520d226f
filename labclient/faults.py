"""Faults the drills inject into the lab, each with the way back. Every fault leaves the lab as it was."""

import subprocess
import sys
from dataclasses import dataclass

from labclient.check import provision_command
from labclient.lab import lab
from labclient.poll import wait_for
from provision import inventory
from provision.roles import ROLES, contract

REPO = inventory.REPO


def exporters():
    """The exporter nodes, in lab.yaml's order: the nodes the drills break."""
    return lab().nodes_with("node_exporter")


def strike(index):
    """The exporter node a drill breaks, by its place among lab.yaml's exporter nodes (negative from the end,
    wrapping round a smaller lab); None without any. Each drill names its own place, so that the drills spread over
    the nodes and each node's drills form a lane (lanes())."""
    nodes = exporters()
    return nodes[index % len(nodes)] if nodes else None


def victim():
    """The node the drills break by default: the second exporter node (node3 in lab.yaml), or the only one."""
    return strike(1)


def lanes():
    """The lanes of drills, a node's name each: a drill in a lane breaks only that node (or node1's view of it), so
    the lanes may run side by side (scripts/labtest.py), each lane's drills one after another."""
    return [node.name for node in exporters()]


# How to lock each exporter out of its server, and the way back (None: provisioning repairs it): each role's LOCKOUT.
LOCKOUTS = {role: contract(role).lockout for role in ROLES if contract(role).lockout}


@dataclass(frozen=True)
class Fault:
    """One way to break the lab, and the way back: the drills and exercise 12 read the same table."""

    kind: str  # stopped | route | lockout
    node: str  # the node it hits
    where: str  # the node the commands run on (a route is cut on Prometheus' node)
    breaks: str
    repairs: str = None  # None: provisioning `node` repairs it
    seen: str = ""  # the PromQL that returns something once Prometheus sees it


def stopped(node):
    """node_exporter stopped on `node`."""
    return Fault("stopped", node.name, node.name, "systemctl stop node_exporter", "systemctl start node_exporter",
                 f'up{{job="node", node="{node.name}"}} == 0')


def route(lab, node):
    """`node` made unreachable from Prometheus' node: a blackhole route there."""
    cut = f"blackhole {node.ip}/32"
    return Fault("route", node.name, lab.prometheus_node.name, f"ip route add {cut}", f"ip route del {cut}",
                 f'up{{job="node", node="{node.name}"}} == 0')


def lockout(lab, node, role):
    """`node`'s exporter of `role` locked out of its server."""
    lock, unlock = LOCKOUTS[role]
    return Fault("lockout", node.name, node.name, lock, unlock, f'{lab.components[role]["subject_up"]}{{node="{node.name}"}} == 0')


def catalogue(lab):
    """{fault id: Fault}: every fault of each kind this lab can take (ids like stopped:node3)."""
    found = {}
    for node in lab.nodes_with("node_exporter"):
        found[f"stopped:{node.name}"] = stopped(node)
        if node.name != lab.prometheus_node.name:
            found[f"route:{node.name}"] = route(lab, node)
        for role in node.roles:
            if role in LOCKOUTS and LOCKOUTS[role][1] is None:
                found[f"lockout:{node.name}"] = lockout(lab, node, role)
    return found


def reprovision(host, node, check=False):
    """Run the provisioning on a node as `vagrant provision` does (it repairs any drift); with check=True in
    check mode (it names the drift and changes nothing; exit 3 when something differs)."""
    result = host.run(provision_command(node.name, check))
    assert result.rc in ((0, 3) if check else (0,)), f"provisioning {node.name} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_target(prometheus, job, node, health, timeout=None):
    timeout = timeout or 2 * lab().interval + 15
    return wait_for(lambda: prometheus.target(job, node), lambda t: t is not None and t["health"] == health, timeout,
                    f"target {job} on {node} {health}")


def run_labtests(*args):
    """Run part of the ordinary labtests (never the drills) as a user would; return (exit code, output)."""
    cmd = [sys.executable, "-m", "pytest", *args, "-m", "not drill and not provision", "-p", "no:cacheprovider", "-q",
           "--tb=line", "-o", "addopts="]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def exec_on(host, command):
    result = host.run(command)
    assert result.rc == 0, f"{command}: {result.stderr}"
    return result.stdout
