"""Exercise 8 asks Prometheus' own relabelling (exercises/relabel.py): the script it runs on the Prometheus node,
run here through this machine's promtool, gives the labels Prometheus would give a target moved to another port."""

import shutil
import subprocess

import pytest

from exercises import relabel

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed on this machine "
                                "(Debian: apt-get install prometheus): the judge is Prometheus' own relabelling")


def _here(node, command, check=False, input=None):
    return subprocess.run(["bash"], input=command, capture_output=True, text=True, check=check)


def job(*relabel_configs, **extra):
    return dict({"job_name": "mine", "scrape_interval": "15s", "relabel_configs": list(relabel_configs)}, **extra)


def port_of(config, monkeypatch):
    monkeypatch.setattr(relabel, "on_node", _here)
    labels = relabel.relabelled("node1", config, "192.168.56.16:19256", {"node": "node6"})
    return None if labels is None else labels.get("port")


@pytest.mark.parametrize("rule", [
    {"source_labels": ["__address__"], "regex": ".*:(\\d+)", "target_label": "port"},
    {"source_labels": ["__address__"], "regex": "(.+):(.+)", "target_label": "port", "replacement": "$2"},
    {"source_labels": ["__address__"], "regex": "[^:]+:(?P<p>[0-9]+)", "target_label": "port", "replacement": "${p}"},
    {"source_labels": ["__address__"], "regex": "\\d+\\.\\d+\\.\\d+\\.\\d+:(\\d{2,5})", "target_label": "port", "action": "replace"},
])
def test_a_port_derived_from_the_address_follows_it(rule, monkeypatch):
    assert port_of(job(rule), monkeypatch) == "19256"


@pytest.mark.parametrize("rule", [
    {"target_label": "port", "replacement": "9256"},
    {"source_labels": ["__address__"], "regex": ".*:(9256)", "target_label": "port"},  # matches the exercise's port only
    {"source_labels": ["__address__"], "regex": ":(\\d+)", "target_label": "port"},  # Prometheus anchors the regex
])
def test_a_port_written_as_it_is_does_not_follow(rule, monkeypatch):
    assert port_of(job(rule), monkeypatch) != "19256"


def test_a_target_the_relabelling_drops_has_no_labels(monkeypatch):
    assert port_of(job({"source_labels": ["node"], "regex": "node6", "action": "drop"}), monkeypatch) is None


def test_a_configuration_promtool_refuses_is_unanswered(monkeypatch):
    with pytest.raises(relabel.Unanswered):
        port_of(job({"source_labels": ["__address__"], "regex": "(", "target_label": "port"}), monkeypatch)
