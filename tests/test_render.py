"""Rendering for labs of 1, 6 and 20 nodes; promtool accepts every rendered config."""

import re
import subprocess

import pytest
import yaml

from host import rendering
from provision import inventory
from tests import pristine
from tests.conftest import needs_promtool, sized

SIZES = [1, 6, 20]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}-nodes")
def rendered(request, lab_yaml, tmp_path):
    lab = inventory.parse(sized(lab_yaml, request.param), env={})
    rendering.write_tree(lab, tmp_path)
    return lab, tmp_path


def _config(tree):
    return tree / "node1/etc/prometheus/prometheus.yml"


def test_every_node_gets_its_units(rendered):
    lab, tree = rendered
    for node in lab.nodes:
        for role in node.roles:
            assert (tree / node.name / f"etc/systemd/system/{role}.service").is_file(), f"{node.name}: no {role} unit"


def test_config_scrapes_every_exporter_node_by_name(rendered):
    lab, tree = rendered
    config = yaml.safe_load(_config(tree).read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {(sc["targets"][0], sc["labels"]["node"]) for sc in jobs["node"]["static_configs"]}
    assert targets == {(f"{n.ip}:9100", n.name) for n in lab.nodes_with("node_exporter")}
    assert jobs["prometheus"]["static_configs"][0]["targets"] == ["localhost:9090"]


def test_config_has_lab_scrape_interval(rendered):
    lab, tree = rendered
    assert yaml.safe_load(_config(tree).read_text())["global"]["scrape_interval"] == lab.scrape_interval


@needs_promtool
def test_promtool_accepts_the_config(rendered):
    _, tree = rendered
    proc = subprocess.run(["promtool", "check", "config", str(_config(tree))], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_exporter_listens_on_its_lab_address_only(rendered):
    lab, tree = rendered
    node = lab.nodes_with("node_exporter")[-1]
    unit = (tree / node.name / "etc/systemd/system/node_exporter.service").read_text()
    assert f"--web.listen-address={node.ip}:9100" in unit


@pytest.mark.parametrize("method", ["release", "apt"])
def test_units_use_the_install_methods_programs(lab_yaml, tmp_path, method):
    lab = inventory.parse(sized(lab_yaml, 2), env={"LAB_INSTALL_METHOD": method})
    rendering.write_tree(lab, tmp_path)
    unit = (tmp_path / "node2/etc/systemd/system/node_exporter.service").read_text()
    expected = {"release": "/usr/local/bin/node_exporter", "apt": "/usr/bin/prometheus-node-exporter"}[method]
    assert f"ExecStart={expected} " in unit


def test_blackbox_probes_every_endpoint_ping_and_ssh_port(rendered):
    lab, tree = rendered
    jobs = {job["job_name"]: job for job in yaml.safe_load(_config(tree).read_text())["scrape_configs"]}
    probed = {name: {sc["targets"][0] for sc in jobs[name]["static_configs"]}
              for name in ("blackbox_http", "blackbox_icmp", "blackbox_tcp")}
    assert probed["blackbox_icmp"] == {n.ip for n in lab.nodes}
    assert probed["blackbox_tcp"] == {f"{n.ip}:22" for n in lab.nodes}
    assert {f"http://{n.ip}:9100/metrics" for n in lab.nodes_with("node_exporter")} <= probed["blackbox_http"]
    assert f"http://{lab.prometheus_node.ip}:9090/-/healthy" in probed["blackbox_http"]
    blackbox = f"{lab.nodes_with('blackbox_exporter')[0].ip}:9115"
    assert all(job["relabel_configs"][-1] == {"target_label": "__address__", "replacement": blackbox} for name, job in jobs.items()
               if name.startswith("blackbox_"))


def test_no_probe_jobs_without_blackbox_exporter(lab_yaml, tmp_path):
    raw = sized(lab_yaml, 6)
    for node in raw["nodes"]:
        node["roles"] = [r for r in node["roles"] if r != "blackbox_exporter"]
    lab = inventory.parse(raw, env={})
    rendering.write_tree(lab, tmp_path)
    assert "blackbox_" not in _config(tmp_path).read_text().split("# --- Your own targets")[0]


def test_exporter_credentials_are_not_world_readable(rendered):
    lab, _ = rendered
    from provision.roles import redis_exporter  # the one exporter with a secret (its password)

    for node in lab.nodes_with("redis_exporter"):
        users = next(f for f in redis_exporter.files(lab, node) if f.path == redis_exporter.USERS_CONF)
        assert users.mode & 0o007 == 0, f"{users.path} is world-readable"
        assert "PASSWORD" not in users.text() and "#<sha256" in users.text()


def test_every_unit_bounds_its_open_files(tmp_path):
    """Each service's LimitNOFILE is set on purpose (the hardening every unit includes), never the node's default."""
    lab = pristine.lab()
    rendering.write_tree(lab, tmp_path)
    units = list(tmp_path.rglob("*.service"))
    assert units and all(re.search(r"^LimitNOFILE=[0-9]+$", u.read_text(), re.M) for u in units), \
        [u.name for u in units if "LimitNOFILE=" not in u.read_text()]


@pytest.mark.parametrize("text", ["0x1f", "0o17", "0b101", "-0x1F", "08", "yes", "1e3", "null", "node-1", "a/b.c"])
def test_a_rendered_string_reads_back_as_that_string(text):
    """A name YAML would read as a number or a word (hexadecimal 0x1f is 31 to PyYAML) is quoted; a plain one is not."""
    import yaml

    from provision.render import yaml_value

    assert yaml.safe_load(f"key: {yaml_value(text)}") == {"key": text}
