"""The model of the lab answers each derived question once, for any number of servers of a kind."""

import copy

import pytest

from provision import inventory, roles
from provision.model import PROMETHEUS_JOB


@pytest.fixture
def lab(lab_yaml):
    return inventory.parse(copy.deepcopy(lab_yaml), env={})


def test_an_endpoint_is_the_node_s_lab_address_and_the_component_s_port(lab):
    (alertmanager,) = lab.endpoints("alertmanager")
    assert (alertmanager.node.name, alertmanager.address, alertmanager.url) == ("node1", "192.168.56.11:9093", "http://192.168.56.11:9093")
    assert lab.endpoints("alertmanager", key="receiver_port")[0].address == "192.168.56.11:9095"


def test_the_host_reaches_a_forwarded_port_on_127_0_0_1_and_others_on_the_lab_network(lab):
    assert lab.prometheus.host_url == "http://127.0.0.1:9090"
    assert lab.endpoints("alertmanager")[0].host_url == "http://192.168.56.11:9093"


def test_every_node_holding_a_role_is_an_endpoint(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    raw["nodes"][1]["roles"].append("blackbox_exporter")
    raw["nodes"][0]["roles"].remove("blackbox_exporter")
    raw["nodes"][2]["roles"].append("grafana")
    raw["nodes"][0]["roles"].remove("grafana")
    lab = inventory.parse(raw, env={})
    assert [e.node.name for e in lab.endpoints("blackbox_exporter")] == ["node2"]
    assert lab.endpoints("grafana")[0].url == "http://192.168.56.13:3000"


def test_the_targets_are_prometheus_itself_and_every_exporter_node(lab):
    targets = lab.targets()
    assert targets[0].job == PROMETHEUS_JOB and targets[0].node == "node1" and targets[0].address == "localhost:9090"
    nodes = {t.node for t in targets if t.job == "node"}
    assert nodes == {"node2", "node3", "node4", "node5", "node6"}
    assert ("postgres", "node2", "192.168.56.12:9187") in {(t.job, t.node, t.address) for t in targets}


def test_skipped_roles_leave_the_targets_and_units_but_are_known(lab_yaml):
    lab = inventory.parse(copy.deepcopy(lab_yaml), env={"LAB_SKIP_ROLES": "postgres_exporter"})
    node2 = lab.node("node2")
    assert "postgres" not in {t.job for t in lab.targets()}
    assert [u.name for u in roles.units(lab, node2)] == ["node_exporter"]
    assert {u.name for u in roles.units(lab, node2, skipped=True)} == {"node_exporter", "postgres_exporter"}
    assert [n.name for n in lab.nodes_with("postgres_exporter", skipped=True)] == ["node2"]


def test_a_node_s_units_include_the_servers_its_exporters_watch(lab):
    assert roles.unit_names(lab, lab.node("node2")) == ["node_exporter", "postgres_exporter", "postgresql"]
    assert {u.name for u in roles.units(lab, lab.node("node1"))} == {"prometheus", "prometheus-datasets", "alertmanager", "alert-receiver",
                                                             "grafana-server", "blackbox_exporter"}


def test_the_generated_jobs_are_those_of_the_targets_and_probes(lab):
    assert lab.generated_jobs() == {t.job for t in lab.targets()} | {p.job for p in lab.probes()}
