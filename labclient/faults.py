"""The faults the drills and exercise 12 inject into the lab, each with the way back, and where the drills strike.
The pytest helpers that break and repair with them are labtests/drill.py."""

from dataclasses import dataclass

from labclient.lab import loaded
from provision.roles import ROLES, contract


def exporters():
    """The exporter nodes, in lab.yaml's order: the nodes the drills break."""
    return loaded().nodes_with("node_exporter")


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


# Part 2's lanes (scripts/labtest.py), among the drills that need the whole lab (no node broken): the first holds those
# that change the lab's configuration (every target's scrape interval), one after another; each other holds a drill of
# one node's resources (pytest mark beside), which looks at that node against a quiet one and at nothing the
# configuration's drills change, so it runs beside them.
CONFIGURATION = "configuration"
WHOLE_LAB_LANES = (CONFIGURATION, "load", "memory")


def whole_lab_lanes(lab=None):
    """Part 2's lanes for this lab; none (its drills one after another) where Prometheus has replicas or Alertmanager a
    cluster: the drills of those provision a replica and cut a member off, which are the nodes the drills of resources
    compare (node3 and node2 in examples/ha.yaml)."""
    lab = lab or loaded()
    return [] if lab.replicated or len(lab.nodes_with("alertmanager")) > 1 else list(WHOLE_LAB_LANES)


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
