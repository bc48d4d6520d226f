"""Provisioning again: nothing changes and nothing restarts; a config change only reloads."""

import re

import pytest

from labclient.faults import reprovision
from labclient.poll import wait_for
from labtests.lab import LAB

CONFIG = "/etc/prometheus/prometheus.yml"

pytestmark = pytest.mark.provision


def _main_pids(host, node):
    return {unit.name: host.service(unit.name).systemd_properties["MainPID"] for unit in LAB.units(node)}


@pytest.mark.parametrize("node", LAB.nodes, ids=lambda n: n.name)
def test_second_provision_changes_nothing(hosts, node):
    host = hosts[node.name]
    before = _main_pids(host, node)
    out = reprovision(host, node)
    summary = re.search(r"(\d+) ok, (\d+) changed", out)
    assert summary, f"no summary in the provisioning output:\n{out}"
    changed = [line for line in out.splitlines() if line.startswith("changed")]
    assert summary.group(2) == "0", f"{node.name}: a second run changed {summary.group(2)} things:\n" + "\n".join(changed)
    assert _main_pids(host, node) == before, f"{node.name}: a service was restarted"


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
