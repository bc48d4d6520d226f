"""What the labtests know about the lab: its model (labclient.lab), and the pytest marks derived from it."""

import os

import pytest

from labclient.faults import victim
from labclient.lab import loaded
from provision import roles
from provision.model import Unit

LAB = loaded()
Service = Unit  # a service the tests check: a unit of a role on a node (provision/model.py)
EXPORTERS = LAB.nodes_with("node_exporter")
VICTIM = victim()  # the node the drills break by default


def lane(node):
    """The mark putting a drill in `node`'s lane (labclient.faults.lanes): drills of one lane never overlap, drills
    of different lanes may (scripts/labtest.py). A drill breaks only its lane's node, or node1's view of that node,
    so no drill can see, or be satisfied by, another lane's fault."""
    return pytest.mark.lane(node.name if node else "none")


def beside(name):
    """The mark putting a drill that needs the whole lab in a lane of its own, beside the others that do (part 2's lanes,
    labclient.faults.WHOLE_LAB_LANES): it changes one node's resources and reads that node against a quiet one, which
    the others, changing the lab's configuration, leave alone."""
    return pytest.mark.beside(name)


def services():
    """A pytest param per service lab.yaml puts on a node; skipped, saying why, for LAB_SKIP_ROLES."""
    return [param(LAB.node(unit.node), unit.role, unit, id=str(unit))
            for node in LAB.nodes for unit in roles.units(LAB, node, skipped=True)]


def skip_reason(role):
    """Why a role's tests skip: LAB_SKIP_ROLES names it, and LAB_SKIP_REASON may say why."""
    why = os.environ.get("LAB_SKIP_REASON")
    return f"LAB_SKIP_ROLES names {role}: this lab runs without it" + (f" ({why})" if why else "")


def param(node, role, *values, id, marks=()):
    """pytest.param(*values), skipped with the reason when LAB_SKIP_ROLES removed `role` from `node`."""
    marks = [*marks, pytest.mark.skip(reason=skip_reason(role))] if role in node.skipped else list(marks)
    return pytest.param(*values, marks=marks, id=id)


def needs_role(role):
    """Marks (a list) for tests of a role: skipped, saying why, when the lab lacks it."""
    if LAB.nodes_with(role):
        return []
    if LAB.nodes_with(role, skipped=True):
        return [pytest.mark.skip(reason=skip_reason(role))]
    return [pytest.mark.skip(reason=f"lab.yaml gives no node the {role} role")]


def nodes_with(role):
    """Nodes lab.yaml gives `role`, including those where LAB_SKIP_ROLES removed it (see param)."""
    return LAB.nodes_with(role, skipped=True)


def scraped_nodes():
    """(job, node) for every target lab.yaml implies (the model's targets)."""
    return sorted((t.job, t.node) for t in LAB.targets())


def subjects(in_lanes=False):
    """A pytest param (node, role, subject unit, up metric) per exporter of a server that lab.yaml places; for the
    drills (in_lanes), each in its node's lane."""
    found = []
    for role in LAB.server_exporters():
        component = LAB.components[role]
        for node in nodes_with(role):
            marks = [lane(node)] if in_lanes else []
            found.append(param(node, role, node.name, role, component["subject"], component["subject_up"], id=f"{node.name}-{role}",
                               marks=marks))
    return found


def probes():
    """(job, node, what is probed) for every blackbox probe lab.yaml implies (the model's probes)."""
    return [(t.job, t.node, t.address) for t in LAB.probes()]


def hand_targets():
    """(job, node, address) for every target added by hand in templates/prometheus.yml.j2's own section."""
    from provision.roles import prometheus

    return [(t.job, t.node, t.address) for t in prometheus.hand_targets(LAB)]
