"""node_exporter: the node's CPU, memory, disk, filesystem, network and load metrics."""

from provision import exporter
from provision.catalogue import OWN_PROC

NAME = "node_exporter"


def services(lab, node):
    return exporter.services(lab, node, NAME)


def files(lab, node):
    return [exporter.unit(lab, node, NAME, own_proc=[f"/proc/{name}" for name in OWN_PROC])]


def apply(run, lab, node, cache):
    exporter.apply(run, lab, node, cache, NAME, files(lab, node))
