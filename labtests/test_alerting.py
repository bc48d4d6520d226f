"""Alerting on a healthy lab: rules loaded, Prometheus talking to Alertmanager, the receiver listening."""

from datetime import datetime, timedelta, timezone

import pytest

from labclient import http
from labclient.alerting import alertmanager_urls, api, cluster, notifications, receiver_url
from labtests.lab import LAB, needs_role
from provision.roles import alertmanager
from provision.roles import prometheus as prometheus_role
from provision.waiting import until

pytestmark = needs_role("alertmanager")
GROUPS = ["promlab-hosts", "promlab-prometheus", "promlab-targets"]


def test_alert_rules_are_loaded_and_healthy(prometheus):
    """The lab's rule file holds exactly the lab's groups, each evaluating; groups a student wrote in rule files of
    their own (templates/prometheus.yml.j2 loads every <name>.rules.yml) are theirs, and neither checked nor refused."""
    groups = [g for g in prometheus.api("rules")["groups"] if g["file"] == prometheus_role.RULES]
    assert sorted(g["name"] for g in groups) == GROUPS, f"the groups of {prometheus_role.RULES}"
    unhealthy = [(r["name"], r.get("lastError")) for g in groups for r in g["rules"] if r["health"] not in ("ok", "unknown")]
    assert not unhealthy, f"rules failing to evaluate: {unhealthy}"


def test_prometheus_sends_alerts_to_every_alertmanager(prometheus):
    expected = sorted(f"{url}/api/v2/alerts" for url in alertmanager_urls())
    until(lambda: sorted(a["url"] for a in prometheus.api("alertmanagers")["activeAlertmanagers"]), lambda urls: urls == expected,
             30, f"Prometheus' Alertmanagers being {expected}")


@pytest.mark.parametrize("url", alertmanager_urls() if LAB.nodes_with("alertmanager") else [])
def test_alertmanager_is_ready(url):
    until(lambda: api("GET", f"{url}/-/ready").status_code, lambda s: s == 200, 30, f"{url}/-/ready answering 200")


@pytest.mark.parametrize("url", alertmanager_urls() if LAB.nodes_with("alertmanager") else [])
def test_each_alertmanager_sees_the_whole_cluster_or_none(url):
    """Three or more Alertmanagers: each reports the cluster ready with every member; one: clustering is off."""
    members = len(LAB.nodes_with("alertmanager"))
    wanted = ("ready", members) if members > 1 else ("disabled", 0)
    until(lambda: cluster(url), lambda seen: seen == wanted, 60, f"{url}'s cluster being {wanted} (status, members)")


def test_receiver_answers():
    assert isinstance(notifications(), list), f"{receiver_url()}/alerts is not a list"


FORGED = {"version": "4", "status": "firing", "receiver": "lab-receiver",
          "alerts": [{"status": "firing", "labels": {"alertname": "InstanceDown", "node": "forged"}}]}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-the-token-0123456789abcdefghijklmnop"}],
                         ids=["no-token", "wrong-token"])
def test_receiver_refuses_a_forged_notification_and_records_nothing(headers):
    before = http.get(f"{receiver_url()}/alerts", timeout=5).json()
    reply = http.post(f"{receiver_url()}/alerts", json=FORGED, headers=headers, timeout=5)
    assert reply.status_code == 401, f"a notification without the token got {reply.status_code}"
    assert http.get(f"{receiver_url()}/alerts", timeout=5).json() == before, "the forged notification was recorded"


TOKEN_FILES = [pytest.param(n.name, path, group, id=f"{n.name}-{path}") for n in LAB.nodes_with("alertmanager")
               for path, group in alertmanager.TOKENS.items()]


@pytest.mark.parametrize(("node", "path", "group"), TOKEN_FILES)
def test_receiver_token_is_readable_by_root_and_its_service_only(hosts, node, path, group):
    token = hosts[node].file(path)
    assert token.is_file, f"{path} is missing on {node}"
    assert (token.user, token.group) == ("root", group) and token.mode & 0o027 == 0, \
        f"{path} on {node} is {token.user}:{token.group} {token.mode:04o}; allowed: root:{group}, read-only for the group, none for others"


@pytest.mark.skipif(len(LAB.nodes_with("alertmanager")) < 2, reason="lab.yaml gives one Alertmanager: no cluster to gossip a silence")
def test_a_silence_made_on_one_alertmanager_is_seen_on_every_other():
    first, *others = alertmanager_urls()
    now = datetime.now(timezone.utc)
    silence = {"matchers": [{"name": "alertname", "value": "PromlabClusterProbe", "isRegex": False, "isEqual": True}],
               "startsAt": now.isoformat(), "endsAt": (now + timedelta(minutes=5)).isoformat(),
               "createdBy": "labtests", "comment": "a silence gossiped to every member"}
    made = api("POST", f"{first}/api/v2/silences", json=silence)
    assert made.status_code == 200, f"{first} refused the silence: {made.status_code} {made.text[:200]}"
    sid = made.json()["silenceID"]
    try:
        for url in others:
            until(lambda url=url: [s["id"] for s in api("GET", f"{url}/api/v2/silences").json()],
                     lambda ids: sid in ids, 30, f"{url} knowing the silence {sid} made on {first}")
    finally:
        api("DELETE", f"{first}/api/v2/silence/{sid}")


def test_no_instance_is_down_on_a_healthy_lab(prometheus, fresh_targets):
    firing = [a["labels"] for a in prometheus.api("alerts")["alerts"] if a["labels"]["alertname"] == "InstanceDown"]
    assert not firing, f"InstanceDown is {firing} although lab.yaml's targets are all up"


def test_rules_use_lab_instance_down_delay(prometheus):
    (rule,) = [r for g in prometheus.api("rules")["groups"] if g["file"] == prometheus_role.RULES for r in g["rules"]
               if r["name"] == "InstanceDown"]
    assert rule["duration"] == LAB.down_for


SILENCE = {"matchers": [{"name": "alertname", "value": "PromlabAnyone", "isRegex": False, "isEqual": True}],
           "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z", "createdBy": "anyone", "comment": "no"}


@pytest.mark.parametrize("url", alertmanager_urls() if LAB.nodes_with("alertmanager") else [])
@pytest.mark.parametrize("credentials", [None, ("promlab", "not-the-password"), ("admin", "admin")], ids=["none", "wrong", "default"])
def test_alertmanager_refuses_a_silence_without_the_labs_credentials(url, credentials):
    """Anyone on the lab network could silence every alert: Alertmanager's API asks for the lab's credentials."""
    made = http.post(f"{url}/api/v2/silences", json=SILENCE, auth=credentials, timeout=5)
    assert made.status_code == 401, f"{url} took a silence without the lab's credentials: {made.status_code} {made.text[:200]}"
    assert not [s for s in api("GET", f"{url}/api/v2/silences").json() if s["createdBy"] == "anyone"]


@pytest.mark.parametrize("node", LAB.nodes_with("alertmanager"), ids=lambda n: n.name)
def test_amtool_on_the_node_signs_in_without_being_told(hosts, node):
    """The guide's `amtool silence query` on the node works as the student runs it (user vagrant), signed in."""
    result = hosts[node.name].run("sudo -u vagrant amtool silence query -o simple")
    assert result.rc == 0, f"amtool on {node.name}: {result.stdout}{result.stderr}"
