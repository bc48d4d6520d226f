"""Alerting on a healthy lab: rules loaded, Prometheus talking to Alertmanager, the receiver listening."""

import requests

from labtests.alerting import alertmanager_url, notifications, receiver_url
from labtests.lab import LAB, needs_role
from labtests.poll import wait_for
from provision.inventory import seconds

pytestmark = needs_role("alertmanager")
GROUPS = ["promlab-hosts", "promlab-prometheus", "promlab-targets"]


def test_alert_rules_are_loaded_and_healthy(prometheus):
    groups = prometheus.api("rules")["groups"]
    assert sorted(g["name"] for g in groups) == GROUPS
    unhealthy = [(r["name"], r.get("lastError")) for g in groups for r in g["rules"] if r["health"] not in ("ok", "unknown")]
    assert not unhealthy, f"rules failing to evaluate: {unhealthy}"


def test_prometheus_sends_alerts_to_the_lab_alertmanager(prometheus):
    expected = f"{alertmanager_url()}/api/v2/alerts"
    wait_for(lambda: [a["url"] for a in prometheus.api("alertmanagers")["activeAlertmanagers"]], lambda urls: urls == [expected], 30,
             f"Prometheus' only Alertmanager being {expected}")


def test_alertmanager_is_ready():
    wait_for(lambda: requests.get(f"{alertmanager_url()}/-/ready", timeout=5).status_code, lambda s: s == 200, 30,
             f"{alertmanager_url()}/-/ready answering 200")


def test_receiver_answers():
    assert isinstance(notifications(), list), f"{receiver_url()}/alerts is not a list"


def test_no_instance_is_down_on_a_healthy_lab(prometheus, fresh_targets):
    firing = [a["labels"] for a in prometheus.api("alerts")["alerts"] if a["labels"]["alertname"] == "InstanceDown"]
    assert not firing, f"InstanceDown is {firing} although lab.yaml's targets are all up"


def test_rules_use_lab_instance_down_delay(prometheus):
    (rule,) = [r for g in prometheus.api("rules")["groups"] for r in g["rules"] if r["name"] == "InstanceDown"]
    assert rule["duration"] == seconds(LAB.alerts["instance_down_for"])
