"""lab.yaml validation: each bad value is refused with the field, the value and what is allowed."""

import copy
import os
import subprocess

import pytest
import yaml

from host import vagrant
from provision import inventory, schema
from tests import pristine


def test_lab_yaml_is_valid(lab_yaml):
    lab = inventory.parse(lab_yaml, env={})
    assert [n.name for n in lab.nodes] == [f"node{i}" for i in range(1, 7)]
    assert lab.scrape_interval == "15s"


def _set(path, value):
    def mutate(raw):
        target = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _add_node(**node):
    return lambda raw: raw["nodes"].append(node)


BAD = [
    ("malformed-ip", _set(("nodes", 1, "ip"), "192.168.56.300"), "nodes[1] (node2).ip", "not an IPv4 address"),
    ("duplicate-ip", _set(("nodes", 2, "ip"), "192.168.56.12"), "nodes[2] (node3).ip", "used twice"),
    ("ip-outside-network", _set(("nodes", 1, "ip"), "10.0.0.5"), "nodes[1] (node2).ip", "outside lab.network"),
    ("ip-is-host-address", _set(("nodes", 1, "ip"), "192.168.56.1"), "nodes[1] (node2).ip", "host's address"),
    ("bad-network", _set(("lab", "network"), "192.168.56.0/33"), "lab.network", "not an IPv4 network"),
    ("unknown-role", _set(("nodes", 1, "roles"), ["node_exporter", "nginx"]), "nodes[1] (node2).roles", "'nginx'"),
    ("duration-without-unit", _set(("lab", "scrape_interval"), "15"), "lab.scrape_interval", "not a duration with a unit"),
    ("retention-without-unit", _set(("lab", "retention_time"), 7), "lab.retention_time", "not a duration"),
    ("bad-size", _set(("lab", "retention_size"), "1G"), "lab.retention_size", "not a size"),
    ("port-out-of-range", _set(("components", "node_exporter", "port"), 70000), "components.node_exporter.port", "out of range"),
    ("forwarded-port-out-of-range", _set(("nodes", 0, "forwarded_ports"), [{"guest": 9090, "host": 0}]),
     "nodes[0] (node1).forwarded_ports[0].host", "out of range"),
    ("host-port-used-twice", _set(("nodes", 1, "forwarded_ports"), [{"guest": 9100, "host": 9090}]),
     "nodes[1] (node2).forwarded_ports[0].host", "forwarded twice"),
    ("no-prometheus-node", _set(("nodes", 0, "roles"), ["node_exporter"]), "nodes[].roles", "to no node"),
    ("two-prometheus-nodes-no-global-view", _set(("nodes", 1, "roles"), ["prometheus"]), "nodes[].roles", "no global view"),
    ("unknown-top-key", _set(("nodez",), []), "nodez", "unknown key"),
    ("unknown-node-key", _set(("nodes", 1, "rolez"), ["node_exporter"]), "nodes[1] (node2).rolez", "unknown key"),
    ("unknown-lab-key", _set(("lab", "scrape_intervall"), "15s"), "lab.scrape_intervall", "unknown key"),
    ("duplicate-name", _add_node(name="node2", ip="192.168.56.20", roles=["node_exporter"]), "nodes[6] (node2).name", "used twice"),
    ("bad-name", _add_node(name="Node_7", ip="192.168.56.17", roles=["node_exporter"]), "nodes[6] (Node_7).name", "not a host name"),
    ("bad-install-method", _set(("lab", "install_method"), "pip"), "lab.install_method", "release | apt"),
    ("bad-sha256", _set(("components", "prometheus", "release", "sha256", "amd64"), "abc"),
     "components.prometheus.release.sha256.amd64", "not a sha256"),
    ("url-without-placeholders", _set(("components", "prometheus", "release", "url"), "https://example.org/p.tgz"),
     "components.prometheus.release.url", "lacks {version}"),
    ("job-named-prometheus", _set(("components", "node_exporter", "job"), "prometheus"), "components.node_exporter.job",
     "not a job name of its own"),
    ("bad-probe-path", _set(("components", "node_exporter", "probe"), "metrics"), "components.node_exporter.probe", "not an HTTP path"),
    ("job-named-like-a-probe", _set(("components", "node_exporter", "job"), "blackbox_http"), "components.node_exporter.job",
     "starting with 'blackbox_'"),
    ("two-blackbox-nodes", _set(("nodes", 1, "roles"), ["node_exporter", "blackbox_exporter"]), "nodes[].roles", "more than one node"),
    ("two-grafana-nodes", _set(("nodes", 1, "roles"), ["grafana"]), "nodes[].roles", "more than one node"),
    ("memory-too-small", _set(("nodes", 1, "memory"), 64), "nodes[1] (node2).memory", "out of range"),
]


@pytest.mark.parametrize(("mutate", "field", "why"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_inventory_is_refused_naming_the_field(lab_yaml, mutate, field, why):
    raw = copy.deepcopy(lab_yaml)
    mutate(raw)
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env={})
    matching = [p for p in refused.value.problems if p.startswith(f"{field}:")]
    assert matching, f"no problem names {field}: {refused.value.problems}"
    assert why in matching[0] and "allowed:" in matching[0], matching[0]


@pytest.mark.parametrize(("env", "field"), [
    ({"LAB_INSTALL_METHOD": "snap"}, "LAB_INSTALL_METHOD (environment)"),
    ({"LAB_SKIP_ROLES": "grafna"}, "LAB_SKIP_ROLES (environment)"),
    ({"LAB_SKIP_ROLES": "prometheus"}, "LAB_SKIP_ROLES (environment)"),
    ({"LAB_APT_PROXY": "192.168.56.1:3142"}, "LAB_APT_PROXY (environment)"),
], ids=["bad-method", "unknown-skipped-role", "skipping-prometheus", "apt-proxy-without-scheme"])
def test_bad_override_is_refused_naming_the_variable(lab_yaml, env, field):
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(copy.deepcopy(lab_yaml), env=env)
    assert any(p.startswith(f"{field}:") for p in refused.value.problems), refused.value.problems


def test_overrides_apply(lab_yaml):
    lab = inventory.parse(copy.deepcopy(lab_yaml), env={"LAB_INSTALL_METHOD": "apt", "LAB_SKIP_ROLES": "node_exporter"})
    assert lab.install_method == "apt"
    assert lab.nodes_with("node_exporter") == []
    assert lab.skipped_roles == ["node_exporter"]


def test_every_problem_is_reported_at_once(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    raw["lab"]["scrape_interval"] = "15"
    raw["nodes"][1]["ip"] = "nonsense"
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env={})
    assert len(refused.value.problems) == 2


def test_invalid_yaml_is_refused(tmp_path):
    bad = tmp_path / "lab.yaml"
    bad.write_text("lab: [unclosed\n")
    with pytest.raises(inventory.InventoryError, match="not valid YAML"):
        inventory.load(bad, env={})


@pytest.mark.skipif(subprocess.run(["sh", "-c", "command -v vagrant"], capture_output=True).returncode != 0,
                    reason="vagrant is not installed")
@pytest.mark.parametrize("command", [["validate"], ["up", "--provider=docker", "--no-provision"]], ids=["validate", "up"])
def test_vagrant_refuses_a_bad_inventory_before_creating_anything(lab_yaml, tmp_path, command):
    raw = copy.deepcopy(lab_yaml)
    raw["nodes"][2]["ip"] = "192.168.99.13"
    bad = tmp_path / "lab.yaml"
    bad.write_text(yaml.safe_dump(raw))
    dotfile = tmp_path / "dot-vagrant"
    env = dict(os.environ, LAB_FILE=str(bad), VAGRANT_DOTFILE_PATH=str(dotfile))
    proc = subprocess.run(["vagrant", *command], cwd=inventory.REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "nodes[2] (node3).ip: '192.168.99.13' is outside lab.network" in proc.stderr + proc.stdout
    assert not list(dotfile.glob("machines/*/*/id")), "a machine was created from an invalid lab.yaml"


@pytest.mark.parametrize(("duration", "expected"), [("15s", 15), ("1m", 60), ("1h30m", 5400), ("500ms", 0.5), ("7d", 604800)])
def test_duration_in_seconds(duration, expected):
    assert schema.seconds(duration) == expected


def test_nodes_without_an_address_get_the_next_free_ones(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    raw["nodes"] += [{"name": f"node{i}", "roles": ["node_exporter"]} for i in range(7, 10)]
    raw["nodes"][8]["ip"] = "192.168.56.17"  # node9 takes .17 itself: node7 and node8 get .18 and .19
    lab = inventory.parse(raw, env={})
    assert [(n.name, n.ip) for n in lab.nodes[6:]] == [("node7", "192.168.56.18"), ("node8", "192.168.56.19"), ("node9", "192.168.56.17")]


def test_adding_a_node_at_the_end_moves_no_other(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    raw["nodes"] += [{"name": "node7", "roles": ["node_exporter"]}]
    before = {n.name: n.ip for n in inventory.parse(copy.deepcopy(raw), env={}).nodes}
    raw["nodes"] += [{"name": "node8", "roles": ["node_exporter"]}]
    after = {n.name: n.ip for n in inventory.parse(raw, env={}).nodes}
    assert {k: after[k] for k in before} == before and after["node8"] == "192.168.56.18"


def test_a_full_network_is_refused_naming_the_node(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    raw["lab"]["network"] = "192.168.56.0/28"  # hosts .1-.14: .11-.14 are taken by node1-node4
    raw["nodes"] += [{"name": "node7", "roles": ["node_exporter"]}]
    for node, ip in zip(raw["nodes"][4:6], ["192.168.56.5", "192.168.56.6"]):
        node["ip"] = ip
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env={})
    assert any(p.startswith("nodes (node7).ip:") and "is full" in p for p in refused.value.problems), refused.value.problems


def test_guests_see_lab_file_under_the_synced_folder(tmp_path):
    inside = inventory.REPO / "build" / "lab-test.yaml"
    assert vagrant.guest_env({"LAB_FILE": str(inside), "LAB_INSTALL_METHOD": "apt", "HOME": "/root"}) == {
        "LAB_FILE": "/vagrant/build/lab-test.yaml", "LAB_INSTALL_METHOD": "apt"}
    with pytest.raises(inventory.InventoryError, match="outside the repository"):
        vagrant.guest_env({"LAB_FILE": str(tmp_path / "lab.yaml")})


@pytest.mark.parametrize(("network", "noted"), [("192.168.56.0/24", False), ("192.168.60.0/24", False),
                                                 ("192.168.64.0/24", True), ("10.20.0.0/24", True)])
def test_a_network_virtualbox_will_not_take_is_noted_not_refused(lab_yaml, network, noted):
    raw = copy.deepcopy(lab_yaml)
    raw["lab"]["network"] = network
    for node in raw["nodes"]:
        node.pop("ip")
    notes = vagrant.notes(inventory.parse(raw, env={}))
    assert bool(notes) == noted and all("VirtualBox" in n and network in n for n in notes)


def test_a_fifo_is_refused_at_once_not_read_forever(tmp_path):
    fifo = tmp_path / "lab.yaml"
    os.mkfifo(fifo)
    with pytest.raises(inventory.InventoryError) as e:
        inventory.read(fifo)
    assert e.value.problems == ["is not a regular file; allowed: a YAML file"]


def test_a_number_python_will_not_read_is_one_sentence(tmp_path):
    huge = tmp_path / "lab.yaml"
    huge.write_text(pristine.text("lab.yaml").replace("  memory: 512", "  memory: " + "9" * 5000, 1))
    with pytest.raises(inventory.InventoryError) as e:
        inventory.load(huge, env={})
    (problem,) = e.value.problems
    assert problem.startswith("holds a value Python cannot read") and "\n" not in problem
