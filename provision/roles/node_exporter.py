"""node_exporter: the node's CPU, memory, disk, filesystem, network and load metrics."""

from provision import install, steps
from provision.render import Rendered, put

NAME = "node_exporter"
SERVICE = NAME


def services(lab, node):
    """(unit, port, listen address): only the node's lab address."""
    return [(SERVICE, lab.components[NAME]["port"], node.ip)]


def files(lab, node):
    component = lab.components[NAME]
    context = {"node": node, "port": component["port"], "programs": install.paths(component, lab.install_method)}
    return [Rendered("/etc/systemd/system/node_exporter.service", "node_exporter.service.j2", context)]


def apply(run, lab, node, cache):
    _, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home="/nonexistent")
    (unit,) = files(lab, node)
    unit_changed = put(run, unit)
    steps.service(run, SERVICE, restart=unit_changed or new_binary)
