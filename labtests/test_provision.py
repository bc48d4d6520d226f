"""Provisioning a second time changes nothing and restarts nothing."""

import os
import re
import shlex

import pytest

from labtests.lab import LAB

# The provisioning must see what `vagrant up` gave it.
ENV = " ".join(f"{k}={shlex.quote(v)}" for k, v in os.environ.items() if k in ("LAB_INSTALL_METHOD", "LAB_SKIP_ROLES", "LAB_CACHE"))


def _main_pids(host, node):
    return {role: host.service(role).systemd_properties["MainPID"] for role in node.roles}


@pytest.mark.provision
@pytest.mark.parametrize("node", LAB.nodes, ids=lambda n: n.name)
def test_second_provision_changes_nothing(hosts, node):
    host = hosts[node.name]
    before = _main_pids(host, node)
    result = host.run(f"env {ENV} sh /vagrant/provision/bootstrap.sh {node.name}")
    assert result.rc == 0, f"provisioning {node.name} failed:\n{result.stdout}\n{result.stderr}"
    summary = re.search(r"(\d+) ok, (\d+) changed", result.stdout)
    assert summary, f"no summary in the provisioning output:\n{result.stdout}"
    changed = [line for line in result.stdout.splitlines() if line.startswith("changed")]
    assert summary.group(2) == "0", f"{node.name}: a second run changed {summary.group(2)} things:\n" + "\n".join(changed)
    assert _main_pids(host, node) == before, f"{node.name}: a service was restarted"
