"""scripts/floor.py: the least work giving the brief's targets (its machines and configuration; tests as data).
The measurement itself runs containers: `make bench --floor`."""

import json

from host import container, vagrant
from labclient.lab import loaded
from scripts import floor


def test_the_floor_has_prometheus_and_every_node_exporter_node_on_its_own_network():
    nodes = floor.machines(loaded())
    assert [(n, p) for n, _, p in nodes] == [("node1", "prometheus")] + [(f"node{i}", "prometheus-node-exporter") for i in range(2, 7)]
    assert all(address.startswith("172.30.56.") for _, address, _ in nodes)
    assert {address for _, address, _ in nodes}.isdisjoint(n.ip for n in loaded().nodes)


def test_the_floor_scrapes_itself_and_each_node_exporter_at_lab_yamls_interval():
    cfg = json.loads(floor.config(loaded(), floor.machines(loaded())))
    assert cfg["global"]["scrape_interval"] == loaded().scrape_interval
    targets = [t for job in cfg["scrape_configs"] for s in job["static_configs"] for t in s["targets"]]
    assert targets == ["localhost:9090"] + [f"172.30.56.1{i}:9100" for i in range(2, 7)]


def test_the_vagrantfile_starts_its_containers_with_the_same_systemd_options():
    vagrantfile = (floor.inventory.REPO / "Vagrantfile").read_text()
    assert ('DOCKER_ARGS = (LAB["docker_args"] + ["--label=promlab.root=#{LAB_ROOT}", "--label=promlab.vagrant=#{DOTFILE}"])'
            '.freeze') in vagrantfile
    assert json.loads(vagrant.to_json(loaded()))["docker_args"] == container.SYSTEMD
