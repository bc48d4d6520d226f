"""Alerting on a healthy lab: rules loaded, Prometheus talking to Alertmanager, the receiver listening."""

import pytest
import requests

from labclient.alerting import alertmanager_url, notifications, receiver_url
from labclient.poll import wait_for
from labtests.lab import LAB, needs_role
from provision.inventory import seconds
from provision.roles import alertmanager

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


FORGED = {"version": "4", "status": "firing", "receiver": "lab-receiver",
          "alerts": [{"status": "firing", "labels": {"alertname": "InstanceDown", "node": "forged"}}]}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-the-token-0123456789abcdefghijklmnop"}],
                         ids=["no-token", "wrong-token"])
def test_receiver_refuses_a_forged_notification_and_records_nothing(headers):
    before = requests.get(f"{receiver_url()}/alerts", timeout=5).json()
    reply = requests.post(f"{receiver_url()}/alerts", json=FORGED, headers=headers, timeout=5)
    assert reply.status_code == 401, f"a notification without the token got {reply.status_code}"
    assert requests.get(f"{receiver_url()}/alerts", timeout=5).json() == before, "the forged notification was recorded"


@pytest.mark.parametrize(("path", "group"), alertmanager.TOKENS.items(), ids=alertmanager.TOKENS.keys())
def test_receiver_token_is_readable_by_root_and_its_service_only(hosts, path, group):
    node = LAB.nodes_with("alertmanager")[0].name
    token = hosts[node].file(path)
    assert token.is_file, f"{path} is missing on {node}"
    assert (token.user, token.group) == ("root", group) and token.mode & 0o027 == 0, \
        f"{path} on {node} is {token.user}:{token.group} {token.mode:04o}; allowed: root:{group}, read-only for the group, none for others"


def test_no_instance_is_down_on_a_healthy_lab(prometheus, fresh_targets):
    firing = [a["labels"] for a in prometheus.api("alerts")["alerts"] if a["labels"]["alertname"] == "InstanceDown"]
    assert not firing, f"InstanceDown is {firing} although lab.yaml's targets are all up"


def test_rules_use_lab_instance_down_delay(prometheus):
    (rule,) = [r for g in prometheus.api("rules")["groups"] for r in g["rules"] if r["name"] == "InstanceDown"]
    assert rule["duration"] == seconds(LAB.alerts["instance_down_for"])
