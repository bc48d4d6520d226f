"""Fixtures for the labtests: SSH to each node through Vagrant's own ssh-config.

When a test about a service fails, the report carries the unit's journal.
"""

import functools
import os
import re
import socket
from datetime import datetime, timezone

import pytest

from labclient import http, ssh
from labclient.faults import CONFIGURATION
from labclient.prom import Prometheus, parse_time
from labtests.lab import LAB, Service
from provision.catalogue import SSH
from provision.waiting import until

# A target's health is that of its last scrape: the tests that read Prometheus'
# targets wait for a scrape after this moment (see fresh_targets).
SESSION_START = datetime.now(timezone.utc)


def _write_ssh_config(path):
    try:
        return ssh.write_config(path, [n.name for n in LAB.nodes])
    except ssh.NotUp as e:
        pytest.fail(f"the lab is not up ({e}); run `make up` first (`make test` does it for you)", pytrace=False)


@functools.cache
def _ssh_config_path(tmpdir):
    shared = os.environ.get(ssh.SHARED_CONFIG)
    path = shared if shared and os.path.exists(shared) else _write_ssh_config(f"{tmpdir}/ssh_config")
    os.environ[ssh.SHARED_CONFIG] = path  # the labtests a drill runs (labclient.faults.run_labtests) inherit it
    return path


@pytest.fixture(scope="session")
def ssh_config(tmp_path_factory):
    return _ssh_config_path(str(tmp_path_factory.mktemp("ssh")))


_hosts = {}


@pytest.fixture(scope="session")
def hosts(ssh_config):
    """hosts[node] -> a testinfra host reached over SSH (one connection per node per session)."""

    class Hosts(dict):
        def __missing__(self, name):
            host = ssh.host(name, ssh_config, sudo=True)
            self[name] = _hosts[name] = host
            return host

    return Hosts()


# What does not answer when the session starts ({what: sentence}): the tests that need it fail at once, naming it,
# instead of each waiting out its own deadline.
DOWN = {}


def _prometheus_answers(url):
    """None when Prometheus at `url` is ready, else what was seen."""
    try:
        reply = http.get(f"{url}/-/ready", timeout=3)
        return None if reply.status_code == 200 else f"/-/ready answers {reply.status_code}"
    except http.Unreachable as e:
        return e.why["en"]


def _ssh_answers(node):
    """None when the node's sshd takes a connection, else what was seen."""
    try:
        with socket.create_connection((node.ip, SSH[0]), timeout=3):
            return None
    except OSError as e:
        return e.strerror or type(e).__name__


def _names(name, nodeid):
    """True when a test's id names the node (node1, not node10)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", nodeid) is not None


def _needs(item, fixture):
    return fixture in getattr(item, "fixturenames", ())


def _name_what_is_down(config, items):
    """Asked once, before any test: Prometheus, and each node's sshd. Said in the run's first lines."""
    if not items:
        return
    url = Prometheus(LAB).url
    seen = _prometheus_answers(url)
    if seen:
        need = sum(_needs(i, "prometheus") or _needs(i, "fresh_targets") for i in items)
        DOWN["prometheus"] = f"Prometheus on {LAB.prometheus_node.name} does not answer at {url} ({seen})"
        _say(config, f"{DOWN['prometheus']}: {need} tests need it; they fail at once")
    with_hosts = [i for i in items if _needs(i, "hosts")]
    for node in LAB.nodes:
        seen = _ssh_answers(node)
        if seen:
            DOWN[node.name] = f"{node.name} does not answer on SSH ({node.ip}:{SSH[0]}: {seen})"
            need = sum(_names(node.name, i.nodeid) for i in with_hosts)
            _say(config, f"{DOWN[node.name]}: {need} tests need it; they fail at once")


def _say(config, line):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"promlab: {line}", red=True, bold=True)


@pytest.fixture(scope="session")
def prometheus():
    if "prometheus" in DOWN:
        pytest.fail(DOWN["prometheus"], pytrace=False)
    return Prometheus(LAB)


@pytest.fixture(autouse=True)
def _node_down(request):
    """A test about a node that did not answer at the start fails at once, naming it."""
    if "hosts" in request.fixturenames:
        for name, sentence in DOWN.items():
            if name != "prometheus" and _names(name, request.node.nodeid):
                pytest.fail(sentence, pytrace=False)


@pytest.fixture(scope="session")
def lab():
    return LAB


@pytest.fixture(scope="session")
def fresh_targets(prometheus):
    """Prometheus' targets once every one has been scraped since the test session started.

    A target's health is that of its last scrape: only a scrape after the tests
    began says anything about the lab as it is now. The tests using this run after
    the others (see pytest_collection_modifyitems), so the wait overlaps them.
    """

    def scraped_since_start(targets):
        return targets and all(parse_time(t["lastScrape"]) > SESSION_START for t in targets)

    return until(prometheus.active_targets, scraped_since_start, 90, "every target scraped since the tests started")


def pytest_addoption(parser):
    parser.addoption("--prove-exercises", action="store_true",
                     help="also prove the workshop's exercise checks (they change lab.yaml, templates/ and answers/ for a "
                          "while, and refuse to start when those hold changes of yours): make prove-exercises")
    parser.addoption("--lane", metavar="NODE", help="only the drills of this node's lane (pytest mark lane; scripts/labtest.py)")
    parser.addoption("--beside", metavar="LANE", help="only the drills of this lane among those that need the whole lab (pytest "
                                                     f"mark beside; {CONFIGURATION}: those without it; scripts/labtest.py)")


def pytest_collection_modifyitems(config, items):
    """Without --prove-exercises the exercise proofs are left out: `make test` never touches the working tree.
    Drills last, then the exercises: they break or change the lab on purpose (and put it back);
    ordinary tests see it untouched.
    Before them, the tests that need a fresh scrape, which by then has mostly happened."""
    if not config.getoption("--prove-exercises"):
        proofs = [item for item in items if item.get_closest_marker("exercise")]
        if proofs:
            config.hook.pytest_deselected(items=proofs)
            items[:] = [item for item in items if not item.get_closest_marker("exercise")]
    for option, mark, unmarked in (("--lane", "lane", None), ("--beside", "beside", CONFIGURATION)):
        _only_lane(config, items, mark, config.getoption(option), unmarked)
    items.sort(key=lambda item: (item.get_closest_marker("exercise") is not None, item.get_closest_marker("drill") is not None,
                                 item.get_closest_marker("browser") is not None, "fresh_targets" in item.fixturenames))
    _name_what_is_down(config, items)


def _only_lane(config, items, mark, lane, unmarked):
    """One lane of drills (scripts/labtest.py runs the lanes side by side): the items whose `mark` names `lane` (`unmarked`:
    the lane of the items without that mark); the others deselected."""
    if not lane:
        return
    want = [] if lane == unmarked else [lane]
    others = {item.nodeid for item in items if [m.args[0] for m in item.iter_markers(mark)] != want}
    if others:
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in others])
        items[:] = [item for item in items if item.nodeid not in others]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    service = getattr(item, "callspec", None) and item.callspec.params.get("service")
    if report.when == "call" and report.failed and isinstance(service, Service) and service.node in _hosts:
        try:
            journal = _hosts[service.node].run(f"journalctl -u {service.name} -n 30 --no-pager").stdout
        except Exception as e:  # noqa: BLE001 - the journal is extra; never hide the failure itself
            journal = f"(could not read the journal: {e})"
        report.sections.append((f"journal of {service.name} on {service.node}", journal))
