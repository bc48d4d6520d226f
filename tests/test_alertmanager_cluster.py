"""Alertmanager on three or more nodes is one cluster: each gossips with the others, every Prometheus sends to
every Alertmanager; one node keeps clustering off; two are refused."""

import copy

import pytest
import yaml

from provision import inventory
from provision.roles import alertmanager, prometheus


def _lab(lab_yaml, holders):
    raw = copy.deepcopy(lab_yaml)
    for node in raw["nodes"]:
        roles = [r for r in node["roles"] if r != "alertmanager"]
        node["roles"] = roles + (["alertmanager"] if node["name"] in holders else [])
    return inventory.parse(raw, env={})


def _unit(lab, name):
    return next(f for f in alertmanager.files(lab, lab.node(name)) if f.path.endswith("/alertmanager.service")).text()


def test_two_alertmanagers_are_refused_naming_the_nodes(lab_yaml):
    with pytest.raises(inventory.InventoryError) as refused:
        _lab(lab_yaml, {"node1", "node2"})
    assert any("['node1', 'node2'] gives the alertmanager role to two nodes" in p and "three or more" in p
               for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("name", ["node1", "node2", "node3"])
def test_each_member_gossips_on_its_own_address_with_the_other_two(lab_yaml, name):
    lab = _lab(lab_yaml, {"node1", "node2", "node3"})
    unit, me = _unit(lab, name), lab.node(name).ip
    peers = [line.split("=", 1)[1].rstrip(" \\") for line in unit.splitlines() if "--cluster.peer=" in line]
    assert f"--cluster.listen-address={me}:9094" in unit and f"--cluster.advertise-address={me}:9094" in unit
    assert sorted(peers) == sorted(f"{n.ip}:9094" for n in lab.nodes_with("alertmanager") if n.name != name)


def test_one_alertmanager_keeps_clustering_off(lab_yaml):
    lab = _lab(lab_yaml, {"node1"})
    unit = _unit(lab, "node1")
    assert "--cluster.listen-address=\n" in unit + "\n" and "--cluster.peer" not in unit
    assert 9094 not in [port for _, port, _ in alertmanager.services(lab, lab.node("node1"))]


def test_every_prometheus_sends_to_every_alertmanager(lab_yaml):
    lab = _lab(lab_yaml, {"node1", "node2", "node3"})
    config = yaml.safe_load(next(f for f in prometheus.files(lab, lab.prometheus_node) if f.path == prometheus.CONFIG).text())
    (group,) = config["alerting"]["alertmanagers"]
    assert group["static_configs"][0]["targets"] == [f"{lab.node(n).ip}:9093" for n in ("node1", "node2", "node3")]


def test_the_cluster_port_is_a_port_of_the_node(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    for node in raw["nodes"][1:3]:
        node["roles"].append("alertmanager")
    raw["components"]["postgres_exporter"]["port"] = 9094
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env={})
    assert any(p.startswith("components.alertmanager.cluster_port: 9094 is also the port of postgres_exporter on node2")
               for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize(("key", "port"), [("cluster_port", 9093), ("cluster_port", 9095), ("receiver_port", 9093)])
def test_a_port_of_alertmanager_equal_to_another_of_its_ports_is_refused(lab_yaml, key, port):
    raw = copy.deepcopy(lab_yaml)
    raw["components"]["alertmanager"][key] = port
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env={})
    assert any(p.startswith(f"components.alertmanager.{key}: {port} is also its ") for p in refused.value.problems), refused.value.problems
