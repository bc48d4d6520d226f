"""Prometheus on its node: ready, the scrape interval of lab.yaml, exactly the inventory's targets, all up."""

import sys

import pytest
import yaml

from labclient.prom import find_target
from labtests.lab import LAB, hand_targets, probes, scraped_nodes
from provision.waiting import until

TARGETS = scraped_nodes()
PROBES = probes()
HAND = hand_targets()


def test_prometheus_is_ready(prometheus):
    until(lambda: prometheus.get("/-/ready").status_code, lambda code: code == 200, 60,
             f"{prometheus.url}/-/ready answering 200")


def test_rendered_config_has_lab_scrape_interval(hosts):
    text = hosts[LAB.prometheus_node.name].file("/etc/prometheus/prometheus.yml").content_string
    assert yaml.safe_load(text)["global"]["scrape_interval"] == LAB.scrape_interval


def test_loaded_config_has_lab_scrape_interval(prometheus):
    loaded = prometheus.loaded_config()
    assert loaded["global"]["scrape_interval"] == LAB.scrape_interval


def test_targets_are_exactly_the_inventory(fresh_targets):
    # Every target lab.yaml implies, and those added by hand in prometheus.yml.j2's own section.
    # Probes and hand-added jobs may have several targets per node: those are told apart by instance.
    by_instance = {job for job, _, _ in PROBES + HAND}
    expected = sorted([(job, node, "") for job, node in TARGETS] + PROBES + HAND)
    seen = sorted((t["labels"]["job"], t["labels"].get("node", "(no node label)"),
                   t["labels"]["instance"] if t["labels"]["job"] in by_instance else "") for t in fresh_targets)
    assert seen == expected, f"missing: {sorted(set(expected) - set(seen))}, unexpected: {sorted(set(seen) - set(expected))}"


def _target(targets, job, node):
    found = find_target(targets, job, node)
    assert found, f"no target for job {job} on {node} in Prometheus"
    return found


@pytest.mark.parametrize(("job", "node"), TARGETS, ids=[f"{j}-{n}" for j, n in TARGETS])
def test_target_is_up(fresh_targets, job, node):
    target = _target(fresh_targets, job, node)
    assert target["health"] == "up", f"target {job} on {node} is {target['health']}: {target['lastError']}"


@pytest.mark.skipif(not HAND, reason="no target added by hand in templates/prometheus.yml.j2 (its 'Your own targets' section)")
@pytest.mark.parametrize(("job", "node", "address"), HAND, ids=[f"{j}-{n}-{a}" for j, n, a in HAND])
def test_hand_added_target_is_up(fresh_targets, job, node, address):
    found = [t for t in fresh_targets if t["labels"]["job"] == job and t["labels"]["instance"] == address]
    assert found, f"no target {address} of job {job} ({node}) in Prometheus: run `vagrant provision {LAB.prometheus_node.name}`"
    assert found[0]["health"] == "up", f"target {address} of job {job} on {node} is {found[0]['health']}: {found[0]['lastError']}"


@pytest.mark.parametrize(("job", "node"), TARGETS, ids=[f"{j}-{n}" for j, n in TARGETS])
def test_target_scrape_interval_matches_lab(fresh_targets, job, node):
    interval = _target(fresh_targets, job, node)["scrapeInterval"]
    assert interval == LAB.scrape_interval, f"target {job} on {node} is scraped every {interval}; lab.yaml says {LAB.scrape_interval}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the host's /proc/net/tcp*, which only Linux has")
def test_forwarded_ports_listen_on_localhost_only():
    forwarded = {fp["host"] for node in LAB.nodes for fp in node.forwarded_ports}
    exposed = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port = local.split(":")
                if state == "0A" and int(port, 16) in forwarded and address not in ("0100007F", "00000000000000000000000001000000"):
                    exposed.append((table, address, int(port, 16)))
    assert not exposed, f"forwarded ports listening beyond 127.0.0.1 on the host: {exposed}"
