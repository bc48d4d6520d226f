"""What the labtests know about the lab: lab.yaml, and SSH access to its nodes."""

import os
from dataclasses import dataclass

import pytest

from provision import inventory, roles

LAB = inventory.load()



@dataclass(frozen=True)
class Service:
    node: str
    name: str  # the systemd unit, without .service
    port: int
    address: str

    def __str__(self):
        return f"{self.node}-{self.name}"


def url_of(node, port):
    """Where the host reaches a guest port: http://127.0.0.1:<host port> when forwarded, else the node's lab address."""
    for fp in node.forwarded_ports:
        if fp["guest"] == port:
            return f"http://127.0.0.1:{fp['host']}"
    return f"http://{node.ip}:{port}"


def services():
    """A pytest param per service lab.yaml puts on a node; skipped, saying why, for LAB_SKIP_ROLES."""
    found = []
    for node in LAB.nodes:
        for role in node.roles + node.skipped:
            for unit, port, address in roles.module(role).services(LAB, node):
                service = Service(node.name, unit, port, address)
                found.append(param(node, role, service, id=str(service)))
    return found


def skip_reason(role):
    """Why a role's tests skip: LAB_SKIP_ROLES names it, and LAB_SKIP_REASON may say why."""
    why = os.environ.get("LAB_SKIP_REASON")
    return f"LAB_SKIP_ROLES names {role}: this lab runs without it" + (f" ({why})" if why else "")


def param(node, role, *values, id):
    """pytest.param(*values), skipped with the reason when LAB_SKIP_ROLES removed `role` from `node`."""
    marks = [pytest.mark.skip(reason=skip_reason(role))] if role in node.skipped else []
    return pytest.param(*values, marks=marks, id=id)


def needs_role(role):
    """Marks (a list) for tests of a role that runs on one node: skipped, saying why, when the lab lacks it."""
    if LAB.nodes_with(role):
        return []
    if nodes_with(role):
        return [pytest.mark.skip(reason=skip_reason(role))]
    return [pytest.mark.skip(reason=f"lab.yaml gives no node the {role} role")]


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


def subjects():
    """A pytest param (node, role, subject unit, up metric) per exporter of a server that lab.yaml places."""
    found = []
    for role, component in LAB.components.items():
        if component.get("subject"):
            for node in nodes_with(role):
                found.append(param(node, role, node.name, role, component["subject"], component["subject_up"], id=f"{node.name}-{role}"))
    return found


def probes():
    """(job, node, what is probed) for every blackbox probe lab.yaml implies (Lab.probe_jobs)."""
    return [(job["name"], t["node"], t["address"]) for job in LAB.probe_jobs() for t in job["targets"]]


def hand_targets():
    """(job, node, address) for every target added by hand in templates/prometheus.yml.j2's own section:
    the jobs of the rendered configuration that lab.yaml does not define."""
    import yaml

    from provision.roles import prometheus

    config = next(f for f in prometheus.files(LAB, LAB.prometheus_node) if f.path == prometheus.CONFIG)
    generated = {"prometheus"} | {j["name"] for j in LAB.scrape_jobs() + LAB.probe_jobs()}
    return [(job["job_name"], sc.get("labels", {}).get("node", "(no node label)"), address)
            for job in yaml.safe_load(config.text())["scrape_configs"] if job["job_name"] not in generated
            for sc in job.get("static_configs", []) for address in sc["targets"]]
