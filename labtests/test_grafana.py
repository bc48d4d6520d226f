"""Grafana on its node, through its HTTP API: healthy, wired to Prometheus, dashboards provisioned, no default password.

Written from Grafana's documented API; runs wherever the lab has the grafana role.
"""

import json

import pytest

from labclient.grafana import Grafana
from labtests.lab import LAB, needs_role, scraped_nodes
from provision.render import TEMPLATES
from provision.roles import grafana as grafana_role
from provision.waiting import until

pytestmark = needs_role("grafana")
UID = LAB.components["grafana"]["datasource_uid"]
DASHBOARD_UIDS = [json.loads((TEMPLATES / "dashboards" / name).read_text())["uid"] for name in grafana_role.SHIPPED]


@pytest.fixture(scope="module")
def grafana():
    g = Grafana()
    until(lambda: g.get("/api/health", auth=None).json(), lambda h: h.get("database") == "ok", 90,
             f"{g.url}/api/health saying the database is ok")
    return g


def test_health_says_database_ok(grafana):
    assert grafana.get("/api/health", auth=None).json()["database"] == "ok"


def test_datasource_matches_lab(grafana):
    reply = grafana.get(f"/api/datasources/uid/{UID}")
    assert reply.status_code == 200, f"no datasource with uid {UID}: {reply.status_code} {reply.text[:300]}"
    ds = reply.json()
    assert (ds["type"], ds["url"], ds["isDefault"], ds["jsonData"].get("timeInterval")) == (
        "prometheus", LAB.prometheus.url, True, LAB.scrape_interval)


def test_prometheus_is_the_only_datasource(grafana):
    assert [ds["uid"] for ds in grafana.get("/api/datasources").json()] == [UID]


def test_datasource_health_is_ok(grafana):
    reply = grafana.get(f"/api/datasources/uid/{UID}/health")
    assert reply.status_code == 200 and reply.json().get("status") == "OK", reply.text[:500]


def test_up_query_through_grafana_has_every_target_up(grafana):
    def query():
        reply = grafana.post("/api/ds/query", {"queries": [{"refId": "A", "datasource": {"uid": UID}, "expr": "up", "instant": True}],
                                               "from": "now-5m", "to": "now"})
        assert reply.status_code == 200, reply.text[:500]
        series = {}
        for frame in reply.json()["results"]["A"]["frames"]:
            labels = frame["schema"]["fields"][1].get("labels", {})
            series[(labels.get("job"), labels.get("node"))] = frame["data"]["values"][1][-1]
        return series

    series = until(query, lambda s: sorted(s) == scraped_nodes(), 45, "one `up` series per inventory target")
    assert all(value == 1 for value in series.values()), f"targets not up: {series}"


@pytest.mark.parametrize("uid", DASHBOARD_UIDS)
def test_dashboard_is_provisioned(grafana, uid):
    reply = until(lambda: grafana.get(f"/api/dashboards/uid/{uid}"), lambda r: r.status_code == 200, 60,
                     f"dashboard {uid} in Grafana")
    assert reply.json()["meta"]["provisioned"], f"dashboard {uid} exists but was not provisioned from files"


def test_admin_signs_in_with_lab_password(grafana):
    reply = grafana.get("/api/user")
    assert reply.status_code == 200, f"{grafana.admin[0]} cannot sign in with lab.yaml's password: {reply.status_code}"


def test_default_admin_password_is_refused(grafana):
    assert grafana.get("/api/user", auth=("admin", "admin")).status_code == 401


def test_anonymous_access_is_as_lab_says(grafana):
    status = grafana.get("/api/dashboards/uid/promlab-nodes", auth=None).status_code
    expected = 200 if LAB.components["grafana"]["anonymous"] else 401
    assert status == expected, f"anonymous access answered {status}; lab.yaml says anonymous: {LAB.components['grafana']['anonymous']}"
