"""Provisioning again: nothing changes and nothing restarts; a config change only reloads."""

import re

import pytest

from labclient.faults import reprovision
from labclient.poll import wait_for
from labtests.lab import LAB
from provision.model import PROMETHEUS_JOB

CONFIG = "/etc/prometheus/prometheus.yml"

pytestmark = pytest.mark.provision


def _main_pids(host, node):
    return {unit.name: host.service(unit.name).systemd_properties["MainPID"] for unit in LAB.units(node)}


@pytest.mark.parametrize("node", LAB.nodes, ids=lambda n: n.name)
def test_every_node_is_as_provisioning_leaves_it(hosts, node):
    """Check mode: every step of a second run finds its state; drift is named, not repaired; nothing restarts."""
    host = hosts[node.name]
    before = _main_pids(host, node)
    out = reprovision(host, node, check=True)
    summary = re.search(r"(\d+) ok, (\d+) differ", out)
    assert summary, f"no summary in the check's output:\n{out}"
    differs = [line for line in out.splitlines() if line.startswith(("differs", "        "))]
    assert summary.group(2) == "0", f"{node.name} differs from what provisioning makes it:\n" + "\n".join(differs)
    assert _main_pids(host, node) == before, f"{node.name}: a service was restarted by a check"


def test_check_mode_names_a_drift_and_repairs_nothing(hosts):
    """A target removed by hand from the loaded configuration: the check says which, with the line, and leaves it."""
    node = LAB.prometheus_node
    host = hosts[node.name]
    victim = next(t for t in LAB.targets() if t.job != PROMETHEUS_JOB)
    original = host.file(CONFIG).content_string
    host.run(f"sed -i '/{victim.address}/d' {CONFIG}")
    try:
        out = reprovision(host, node, check=True)
        lines = out.splitlines()
        assert any(line.startswith(f"differs file {CONFIG}: would be written") for line in lines), out
        assert any(line.strip().startswith("+") and victim.address in line for line in lines), \
            f"the check does not show {victim.address} as missing:\n{out}"
        assert victim.address not in host.file(CONFIG).content_string, "the check repaired the drift"
    finally:
        reprovision(host, node)
    assert host.file(CONFIG).content_string == original


def _last_reload(prometheus):
    metrics = prometheus.get("/metrics").text
    found = re.search(r"^prometheus_config_last_reload_success_timestamp_seconds (\S+)$", metrics, re.M)
    assert found, "Prometheus does not report prometheus_config_last_reload_success_timestamp_seconds"
    return float(found.group(1))


def test_config_change_reloads_prometheus_without_restart(hosts, prometheus):
    node = LAB.prometheus_node
    host = hosts[node.name]
    pid = host.service("prometheus").systemd_properties["MainPID"]
    reloaded_before = _last_reload(prometheus)
    host.run(f"echo '# drift made by the labtests' >> {CONFIG}")
    out = reprovision(host, node)
    assert f"changed file {CONFIG}" in out and "changed service prometheus: reloaded" in out, out
    assert host.service("prometheus").systemd_properties["MainPID"] == pid, "Prometheus was restarted, not reloaded"
    wait_for(lambda: _last_reload(prometheus), lambda t: t > reloaded_before, 10, "Prometheus reporting a successful reload")
    assert "# drift" not in host.file(CONFIG).content_string
