"""Provisioning again: nothing changes and nothing restarts; a config change only reloads."""

import re

import pytest
import yaml

from labtests.drill import reprovision
from labtests.lab import LAB
from provision import roles
from provision.model import PROMETHEUS_JOB
from provision.waiting import until

CONFIG = "/etc/prometheus/prometheus.yml"

pytestmark = pytest.mark.provision


def _main_pids(host, node):
    return {unit.name: host.service(unit.name).systemd_properties["MainPID"] for unit in roles.units(LAB, node)}


@pytest.mark.parametrize("node", LAB.nodes, ids=lambda n: n.name)
def test_every_node_is_as_provisioning_leaves_it(hosts, node):
    """Check mode: every step of a second run finds its state; drift is named, not repaired; nothing restarts."""
    host = hosts[node.name]
    before = _main_pids(host, node)
    out = reprovision(node, check=True)
    summary = re.search(r"(\d+) ok, (\d+) differ", out)
    assert summary, f"no summary in the check's output:\n{out}"
    differs = [line for line in out.splitlines() if line.startswith(("differs", "        "))]
    assert summary.group(2) == "0", f"{node.name} differs from what provisioning makes it:\n" + "\n".join(differs)
    assert _main_pids(host, node) == before, f"{node.name}: a service was restarted by a check"


def _as_provisioning_leaves_it(host, node):
    """Skip, saying why, unless the node is as provisioning leaves it: a test that plants a drift or provisions again
    must not touch a drift of the user's."""
    out = reprovision(node, check=True)
    differs = [line for line in out.splitlines() if line.startswith("differs")]
    if differs:
        pytest.skip(f"{node.name} differs from what provisioning makes (a change of yours, left as it is): {differs[0][:200]}")


def _put_back(node, path, text):
    """The file as it was, byte for byte (its owner and mode kept: it is rewritten in place)."""
    from labclient import ssh

    proc = ssh.run(node.name, f"cat > {path}", input=text)
    assert proc.returncode == 0, proc.stderr


def test_check_mode_names_a_drift_by_its_meaning_and_repairs_nothing(hosts):
    """A target removed from the loaded configuration by a YAML tool (which drops the comments and reflows the file, as
    any tool a user would use does): the check names the job, the target and its node, and leaves the file as it is;
    the test then puts back exactly what it found."""
    node = LAB.prometheus_node
    host = hosts[node.name]
    _as_provisioning_leaves_it(host, node)
    victim = next(t for t in LAB.targets() if t.job != PROMETHEUS_JOB)
    original = host.file(CONFIG).content_string
    drop = (f"import yaml; p='{CONFIG}'; c=yaml.safe_load(open(p)); "
            f"[sc.update(targets=[t for t in sc['targets'] if t != '{victim.address}']) "
            "for j in c['scrape_configs'] for sc in j.get('static_configs', [])]; "
            "open(p, 'w').write(yaml.safe_dump(c, sort_keys=False))")
    assert host.run(f'python3 -c "{drop}"').rc == 0
    try:
        drifted = host.file(CONFIG).content_string
        jobs = {j["job_name"]: j for j in yaml.safe_load(drifted)["scrape_configs"]}
        assert victim.address not in [t for sc in jobs[victim.job].get("static_configs", []) for t in sc["targets"]]
        assert "#" not in drifted
        out = reprovision(node, check=True)
        said = f"job {victim.job} has no target {victim.address} ({victim.node})"
        assert any(line.startswith(f"differs file {CONFIG}: would be written: {said}") for line in out.splitlines()), out
        assert host.file(CONFIG).content_string == drifted, "the check repaired the drift"
    finally:
        _put_back(node, CONFIG, original)
    assert host.file(CONFIG).content_string == original


def test_check_mode_says_a_reflowed_configuration_differs_only_in_form(hosts):
    node = LAB.prometheus_node
    host = hosts[node.name]
    _as_provisioning_leaves_it(host, node)
    original = host.file(CONFIG).content_string
    # read whole before the file is opened for writing (which empties it)
    reflow = f"import yaml; p='{CONFIG}'; c=yaml.safe_load(open(p)); open(p, 'w').write(yaml.safe_dump(c, default_flow_style=True))"
    assert host.run(f'python3 -c "{reflow}"').rc == 0
    try:
        out = reprovision(node, check=True)
        assert f"differs file {CONFIG}: would be written: differs only in form" in out, out
    finally:
        _put_back(node, CONFIG, original)
    assert host.file(CONFIG).content_string == original


def _last_reload(prometheus):
    metrics = prometheus.get("/metrics").text
    found = re.search(r"^prometheus_config_last_reload_success_timestamp_seconds (\S+)$", metrics, re.M)
    assert found, "Prometheus does not report prometheus_config_last_reload_success_timestamp_seconds"
    return float(found.group(1))


def test_config_change_reloads_prometheus_without_restart(hosts, prometheus):
    """Provisioning puts back a changed configuration with a reload: on a node as provisioning leaves it only (it
    provisions again, which would repair a drift of the user's)."""
    node = LAB.prometheus_node
    host = hosts[node.name]
    _as_provisioning_leaves_it(host, node)
    pid = host.service("prometheus").systemd_properties["MainPID"]
    reloaded_before = _last_reload(prometheus)
    host.run(f"echo '# drift made by the labtests' >> {CONFIG}")
    out = reprovision(node)
    assert f"changed file {CONFIG}" in out and "changed service prometheus: reloaded" in out, out
    assert host.service("prometheus").systemd_properties["MainPID"] == pid, "Prometheus was restarted, not reloaded"
    until(lambda: _last_reload(prometheus), lambda t: t > reloaded_before, 10, "Prometheus reporting a successful reload")
    assert "# drift" not in host.file(CONFIG).content_string
