"""The servers the exporters watch are the versions the guide states for the node's Debian release
(provision/catalogue.SERVER_VERSIONS, which docs/*/exporters.md show)."""

import pytest

from labtests.lab import LAB
from provision.catalogue import SERVER_VERSIONS, SERVERS

SERVED = [(role, node.name) for role in SERVERS for node in LAB.nodes_with(role)]


@pytest.mark.parametrize(("role", "node"), SERVED or [pytest.param(None, None, marks=pytest.mark.skip(
    reason="this lab runs no exporter of a server"))], ids=[f"{r}-{n}" for r, n in SERVED] or None)
def test_each_watched_server_is_the_version_the_guide_states(hosts, role, node):
    host = hosts[node]
    release, package = host.system_info.codename, SERVERS[role]
    name, versions = SERVER_VERSIONS[package]
    installed = host.package(package).version.split(":", 1)[-1]  # without Debian's epoch (5:8.0.2-3)
    assert release in versions, f"the guide states no {name} version for Debian {release} ({node} has {installed})"
    stated = versions[release]
    assert installed == stated or installed.startswith((f"{stated}.", f"{stated}+", f"{stated}-")), \
        f"{node} runs {name} {installed} ({package}); the guide states {stated} for Debian {release}"
