"""What the labtests know about the lab: lab.yaml, and SSH access to its nodes."""

from dataclasses import dataclass

import pytest

from provision import inventory

LAB = inventory.load()

# Where each role's service listens inside its node. Prometheus listens on every
# interface (the forwarded port reaches it through the provider's NAT); exporters
# only on the node's lab address.
LISTENS_ON_ALL = {"prometheus"}


@dataclass(frozen=True)
class Service:
    node: str
    name: str
    port: int
    address: str

    def __str__(self):
        return f"{self.node}-{self.name}"


def services():
    """A pytest param per service lab.yaml puts on a node; skipped, saying why, for LAB_SKIP_ROLES."""
    found = []
    for node in LAB.nodes:
        for role in node.roles + node.skipped:
            address = "0.0.0.0" if role in LISTENS_ON_ALL else node.ip
            service = Service(node.name, role, LAB.components[role]["port"], address)
            found.append(param(node, role, service, id=str(service)))
    return found


def param(node, role, *values, id):
    """pytest.param(*values), skipped with the reason when LAB_SKIP_ROLES removed `role` from `node`."""
    marks = [pytest.mark.skip(reason=f"LAB_SKIP_ROLES names {role}: this lab runs without it")] if role in node.skipped else []
    return pytest.param(*values, marks=marks, id=id)


def nodes_with(role):
    """Nodes lab.yaml gives `role`, including those where LAB_SKIP_ROLES removed it (see param)."""
    return [n for n in LAB.nodes if role in n.roles + n.skipped]


def scraped_nodes():
    """(job, node) for every target lab.yaml implies: Prometheus itself and each exporter node."""
    expected = {("prometheus", LAB.prometheus_node.name)}
    for role, component in LAB.components.items():
        if component.get("job"):
            expected |= {(component["job"], n.name) for n in LAB.nodes_with(role)}
    return sorted(expected)
