"""Grafana's files, checked without a Grafana server: provisioning keys, datasource uid, dashboards."""

import configparser
import copy
import json
import re

import pytest
import yaml

from provision import dashboards, inventory, render
from provision.roles import grafana
from tests.conftest import sized

BOARDS = {p.name: json.loads(p.read_text()) for p in sorted((render.TEMPLATES / "dashboards").glob("*.json"))}
FAMILIES = {"cpu": "node_cpu_seconds_total", "memory": "node_memory_", "disk": "node_disk_", "filesystem": "node_filesystem_",
            "network": "node_network_", "load": "node_load", "target up/down": "up{"}


@pytest.fixture
def lab(lab_yaml):
    raw = sized(lab_yaml, 3)
    raw["nodes"][0]["roles"].append("grafana")
    return inventory.parse(raw, env={})


def _rendered(lab, path):
    item = next(i for i in grafana.files(lab, lab.node("node1")) if i.path == path)
    return item.text()


def _ini(text):
    parser = configparser.ConfigParser(comment_prefixes=(";", "#"), interpolation=None)
    parser.read_string(text)
    return parser


def _exprs(board):
    return [t["expr"] for p in board["panels"] for t in p["targets"]]


def test_dashboards_are_in_sync_with_their_generator(lab):
    generated = dashboards.generate(lab.components["grafana"]["datasource_uid"])
    assert sorted(generated) == sorted(BOARDS), "run `python3 -m provision.dashboards`"
    for name, board in generated.items():
        assert dashboards.as_text(board) == (dashboards.OUT / name).read_text(), f"{name} is stale: run `python3 -m provision.dashboards`"


@pytest.mark.parametrize("name", BOARDS)
def test_every_panel_uses_the_provisioned_datasource(lab, name):
    uid = lab.components["grafana"]["datasource_uid"]
    board = BOARDS[name]
    refs = [p["datasource"] for p in board["panels"]] + [t["datasource"] for p in board["panels"] for t in p["targets"]]
    refs += [v["datasource"] for v in board["templating"]["list"]]
    assert refs and all(ref == {"type": "prometheus", "uid": uid} for ref in refs), [r for r in refs if r.get("uid") != uid]


@pytest.mark.parametrize("name", BOARDS)
def test_no_datasource_placeholder(name):
    assert "${DS_" not in (render.TEMPLATES / "dashboards" / name).read_text()


def test_dashboard_uids_are_stable_and_unique():
    uids = [b.get("uid") for b in BOARDS.values()]
    assert {"promlab-nodes", "promlab-prometheus-server", "promlab-services"} <= set(uids)
    assert len(set(uids)) == len(uids) and all(uids), f"dashboards without a uid, or sharing one: {uids}"


SERVER_EXPORTERS = [name for name, c in inventory.load().components.items() if c.get("subject_up")]


@pytest.mark.parametrize("role", SERVER_EXPORTERS)
def test_services_dashboard_shows_each_exporters_subject_up(role):
    up = inventory.load().components[role]["subject_up"]
    assert any(re.search(rf"\b{up}\b", expr) for expr in _exprs(BOARDS["services.json"])), f"no panel shows {up} ({role})"
    assert role in dashboards.ROLE_OF.values()


def test_services_dashboard_shows_probe_results():
    assert any("probe_success" in expr for expr in _exprs(BOARDS["services.json"]))


@pytest.mark.parametrize("family", FAMILIES)
def test_nodes_dashboard_covers_the_metric_family(family):
    assert any(FAMILIES[family] in expr for expr in _exprs(BOARDS["nodes.json"])), f"no panel shows {family}"


def test_nodes_dashboard_has_a_node_variable_used_by_every_query():
    assert [v["name"] for v in BOARDS["nodes.json"]["templating"]["list"]] == ["node"]
    assert all('node="$node"' in expr for expr in _exprs(BOARDS["nodes.json"]))


@pytest.mark.parametrize("metric", ["up", "scrape_duration_seconds", "prometheus_tsdb_head_samples_appended_total"])
def test_prometheus_dashboard_shows(metric):
    assert any(re.search(rf"\b{metric}\b", expr) for expr in _exprs(BOARDS["prometheus.json"]))


def test_datasource_provisioning_matches_lab(lab):
    doc = yaml.safe_load(_rendered(lab, "/etc/grafana/provisioning/datasources/promlab.yaml"))
    assert doc["apiVersion"] == 1 and doc["prune"] is True
    (ds,) = doc["datasources"]
    assert ds == {"name": "Prometheus", "type": "prometheus", "uid": lab.components["grafana"]["datasource_uid"], "access": "proxy",
                  "url": "http://192.168.56.11:9090", "isDefault": True, "editable": False,
                  "jsonData": {"timeInterval": lab.scrape_interval, "httpMethod": "POST"}}


def test_dashboard_provider_points_at_the_installed_dashboards(lab):
    doc = yaml.safe_load(_rendered(lab, "/etc/grafana/provisioning/dashboards/promlab.yaml"))
    assert doc["apiVersion"] == 1
    (provider,) = doc["providers"]
    assert provider["type"] == "file" and provider["orgId"] == 1 and provider["options"]["path"] == grafana.DASHBOARDS
    installed = {i.path for i in grafana.files(lab, lab.node("node1"))}
    assert {f"{grafana.DASHBOARDS}/{name}" for name in BOARDS} <= installed


def test_grafana_ini_has_lab_credentials_and_no_phoning_home(lab):
    ini = _ini(_rendered(lab, grafana.CONFIG))
    component = lab.components["grafana"]
    assert ini["security"]["admin_user"] == component["admin_user"]
    assert ini["security"]["admin_password"] == f'"""{component["admin_password"]}"""'
    assert ini["server"]["http_port"] == str(component["port"])
    assert ini["paths"]["provisioning"] == "/etc/grafana/provisioning"
    assert (ini["analytics"]["reporting_enabled"], ini["analytics"]["check_for_updates"]) == ("false", "false")


@pytest.mark.parametrize("anonymous", [False, True])
def test_anonymous_viewer_follows_the_switch(lab, anonymous):
    lab.components["grafana"] = dict(lab.components["grafana"], anonymous=anonymous)
    ini = _ini(_rendered(lab, grafana.CONFIG))
    assert ini["auth.anonymous"]["enabled"] == str(anonymous).lower()
    assert ini["auth.anonymous"]["org_role"] == "Viewer"


def test_password_comes_from_the_environment_when_set(lab_yaml):
    lab = inventory.parse(copy.deepcopy(lab_yaml), env={"LAB_GRAFANA_PASSWORD": "from-the-env-42"})
    assert lab.components["grafana"]["admin_password"] == "from-the-env-42"


@pytest.mark.parametrize("password", ["admin", "short", ""])
def test_weak_password_is_refused_without_showing_it(lab_yaml, password):
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(copy.deepcopy(lab_yaml), env={"LAB_GRAFANA_PASSWORD": password} if password else {"LAB_GRAFANA_PASSWORD": "x"})
    (problem,) = [p for p in refused.value.problems if p.startswith("components.grafana.admin_password:")]
    assert "(hidden)" in problem


def test_secrets_are_not_world_readable(lab):
    for item in grafana.files(lab, lab.node("node1")):
        if item.path.startswith("/etc/grafana/"):
            assert (item.group, item.mode) == ("grafana", 0o640), item.path
