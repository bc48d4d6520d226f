"""What the labtests know about the lab: lab.yaml, and SSH access to its nodes."""

from dataclasses import dataclass

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
    found = []
    for node in LAB.nodes:
        for role in node.roles:
            address = "0.0.0.0" if role in LISTENS_ON_ALL else node.ip
            found.append(Service(node.name, role, LAB.components[role]["port"], address))
    return found


def scraped_nodes():
    """(job, node) for every target lab.yaml implies: Prometheus itself and each exporter node."""
    expected = {("prometheus", LAB.prometheus_node.name)}
    for role, component in LAB.components.items():
        if component.get("job"):
            expected |= {(component["job"], n.name) for n in LAB.nodes_with(role)}
    return sorted(expected)
