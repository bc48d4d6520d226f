"""What lab.yaml's validator accepts, every reader takes alike: values Python reads and another program of the lab
reads otherwise, or a fact that only shows once the machines run, are refused before anything boots, in one sentence
naming the field."""

import copy

import pytest

from host import vagrant
from provision import inventory
from tests import pristine

RAW = pristine.raw("lab.yaml")


REFUSED = {  # name: (path or None, value, environment, the field the sentence names)
    "network-with-a-netmask": (("lab", "network"), "192.168.56.0/255.255.255.0", {}, "lab.network"),
    "network-with-a-hostmask": (("lab", "network"), "192.168.56.0/0.0.0.255", {}, "lab.network"),
    "proxy-port-above-65535": (None, None, {"LAB_APT_PROXY": "http://192.168.56.1:70000"}, "LAB_APT_PROXY"),
    "release-url-port-above-65535": (("components", "node_exporter", "release", "url"),
                                     "https://example.org:99999/{version}/{arch}.tar.gz", {},
                                     "components.node_exporter.release.url"),
    "cache-on-a-device": (None, None, {"LAB_CACHE": "/dev/sda"}, "LAB_CACHE"),
    "cache-in-proc": (None, None, {"LAB_CACHE": "/proc/self/fd"}, "LAB_CACHE"),
    "cache-climbing-out": (None, None, {"LAB_CACHE": "/vagrant/../dev/sda"}, "LAB_CACHE"),
    "prometheus-on-a-privileged-port": (("components", "prometheus", "port"), 80, {}, "components.prometheus.port"),
    "gossip-on-a-privileged-port": (("components", "alertmanager", "cluster_port"), 1000, {},
                                    "components.alertmanager.cluster_port"),
    "a-server-unit-that-is-not-the-server": (("components", "postgres_exporter", "subject"), "ssh", {},
                                             "components.postgres_exporter.subject"),
    "a-server-unit-of-another-server": (("components", "redis_exporter", "subject"), "postgresql", {},
                                        "components.redis_exporter.subject"),
}


@pytest.mark.parametrize(("path", "value", "env", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_a_value_another_reader_takes_otherwise_is_refused_naming_its_field(path, value, env, field):
    raw = pristine.changed(RAW, path, value) if path else copy.deepcopy(RAW)
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env=env)
    (problem,) = refused.value.problems
    assert problem.startswith(field) and "allowed:" in problem and "\n" not in problem, problem


ACCEPTED = {
    "a-server-unit-of-one-cluster": (("components", "postgres_exporter", "subject"), "postgresql@15-main"),
    "mariadb-for-mariadb-server": (("components", "mysqld_exporter", "subject"), "mariadb"),
    "a-prefix-network": (("lab", "network"), "10.20.0.0/24"),
    "an-unprivileged-port": (("components", "prometheus", "port"), 1024),
}


@pytest.mark.parametrize(("path", "value"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_what_every_reader_takes_is_accepted(path, value):
    raw = pristine.changed(RAW, path, value)
    if path == ("lab", "network"):  # the nodes' addresses follow the network
        for i, node in enumerate(raw["nodes"]):
            node["ip"] = f"10.20.0.{10 + i}"
    inventory.parse(raw, env={})


@pytest.mark.parametrize(("provider", "total", "refused"), [
    ("virtualbox", 4096, True), ("libvirt", 4096, True), ("virtualbox", 65536, False), ("docker", 4096, False),
    ("virtualbox", None, False)], ids=["virtualbox-short", "libvirt-short", "virtualbox-enough", "docker", "unmeasured"])
def test_machines_asking_more_memory_than_the_computer_has_are_refused_before_booting(provider, total, refused):
    """VirtualBox and libvirt give each machine its nodes[].memory: together past the computer's memory (1 GiB kept
    for it), the lab could not boot; docker's containers share the host's and are not held to it."""
    lab = inventory.parse(copy.deepcopy(RAW), env={})
    said = vagrant.memory_problem(lab, env={"VAGRANT_DEFAULT_PROVIDER": provider}, total=lambda: total)
    assert bool(said) == refused, said
    if said:
        assert said.startswith("nodes[].memory") and "allowed:" in said and "\n" not in said
