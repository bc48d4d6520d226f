"""Grafana's files, checked without a Grafana server: provisioning keys, datasource uid, dashboards."""

import configparser
import copy
import json
import re

import pytest
import yaml

from host import dashboards, vagrant
from provision import inventory, render
from provision.roles import grafana
from tests import pristine
from tests.conftest import sized

# The lab's own dashboards (a student's own, untracked, are theirs), as the working tree has them.
BOARDS = {name: json.loads((render.TEMPLATES / "dashboards" / name).read_text())
          for name in pristine.tracked_files("templates/dashboards", ".json")}
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


def test_the_shipped_dashboards_are_those_the_generator_makes():
    assert sorted(dashboards.generate("promlab-prometheus")) == sorted(grafana.SHIPPED)


def test_dashboards_are_in_sync_with_their_generator(lab):
    generated = dashboards.generate(lab.components["grafana"]["datasource_uid"])
    assert sorted(generated) == sorted(BOARDS), "run `python3 -m host.dashboards`"
    for name, board in generated.items():
        assert dashboards.as_text(board) == (dashboards.OUT / name).read_text(), f"{name} is stale: run `python3 -m host.dashboards`"


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


SERVER_EXPORTERS = pristine.lab().server_exporters()


@pytest.mark.parametrize("role", SERVER_EXPORTERS)
def test_services_dashboard_shows_each_exporters_subject_up(role):
    up = pristine.lab().components[role]["subject_up"]
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
    assert {f"{grafana.DASHBOARDS}/{name}" for name in BOARDS if name not in grafana.ROLE_BOARDS} <= installed
    assert f"{grafana.DASHBOARDS}/classroom.json" not in installed, "a lab without the classroom gets its dashboard"


def test_grafana_ini_has_lab_credentials_and_no_phoning_home(lab):
    ini = _ini(_rendered(lab, grafana.CONFIG))
    component = lab.components["grafana"]
    assert ini["security"]["admin_user"] == component["admin_user"]
    assert ini["security"]["admin_password"] == "$__file{/etc/grafana/admin-password}"
    assert component["admin_password"] not in _rendered(lab, grafana.CONFIG)
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


WEAK = {"grafana-default": "admin", "short": "short", "leading-space": " promlab-workshop", "trailing-newline": "promlab-42\n",
        "control-character": "promlab\x1b[2J42", "too-long": "p" * 129}


@pytest.mark.parametrize("source", ["lab.yaml", "environment"])
@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
def test_a_password_grafana_may_not_have_is_refused_without_showing_it(lab_yaml, source, password):
    raw, env = copy.deepcopy(lab_yaml), {}
    if source == "lab.yaml":
        raw["components"]["grafana"]["admin_password"] = password
    else:
        env["LAB_GRAFANA_PASSWORD"] = password
    field = "components.grafana.admin_password:" if source == "lab.yaml" else "LAB_GRAFANA_PASSWORD (environment):"
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env=env)
    (problem,) = [p for p in refused.value.problems if p.startswith(field)]
    what = problem.split(": ", 1)[1].split(";")[0]
    assert what.startswith("(hidden) ") and password.strip() not in what


HOSTILE = ["pa$$word$(id)", "it's \"quoted\" `uname`", "back\\slash and spaces", "x] [auth.anonymous] #;=%",
           "mot de passe été"]


@pytest.mark.parametrize("password", HOSTILE)
def test_any_password_reaches_the_file_grafana_reads_intact(lab_yaml, tmp_path, password):
    """LAB_GRAFANA_PASSWORD goes host -> secrets file (owner-only) -> the guest's inventory -> the file
    grafana.ini names, byte for byte; the ini itself never holds it."""
    secret = tmp_path / "secrets" / "grafana-admin-password"
    vagrant.sync_secrets({"LAB_GRAFANA_PASSWORD": password}, path=secret)
    assert secret.stat().st_mode & 0o077 == 0 and secret.parent.stat().st_mode & 0o077 == 0
    guest = inventory.parse(copy.deepcopy(lab_yaml), env={}, secrets=secret)  # the guest's environment lacks it
    (item,) = [i for i in grafana.files(guest, guest.node("node1")) if i.path == grafana.PASSWORD_FILE]
    assert item.text() == password and (item.group, item.mode) == ("grafana", 0o640)
    assert password not in _rendered(guest, grafana.CONFIG)


def test_the_secrets_file_goes_when_the_override_does(tmp_path):
    secret = tmp_path / "grafana-admin-password"
    vagrant.sync_secrets({"LAB_GRAFANA_PASSWORD": "promlab-42"}, path=secret)
    vagrant.sync_secrets({}, path=secret)
    assert not secret.exists()


def test_no_secret_reaches_the_guests_environment():
    assert "LAB_GRAFANA_PASSWORD" not in vagrant.guest_env({"LAB_GRAFANA_PASSWORD": "promlab-42", "LAB_INSTALL_METHOD": "apt"})


def test_secrets_are_not_world_readable(lab):
    for item in grafana.files(lab, lab.node("node1")):
        if item.path.startswith("/etc/grafana/"):
            assert (item.group, item.mode) == ("grafana", 0o640), item.path


def _uids(part):
    if isinstance(part, dict):
        source = part.get("datasource")
        found = {source["uid"]} if isinstance(source, dict) and "uid" in source else set()
        return found.union(*(_uids(v) for v in part.values()))
    if isinstance(part, list):
        return set().union(*(_uids(v) for v in part))
    return set()


@pytest.mark.parametrize("uid", ["promlab-prometheus", "my-prom"])
def test_the_dashboards_name_the_datasource_lab_yaml_provisions(lab_yaml, uid):
    """A teacher's own components.grafana.datasource_uid: the installed dashboards follow it (they named a datasource
    that did not exist, every panel empty)."""
    raw = sized(lab_yaml, 3)
    raw["nodes"][0]["roles"].append("grafana")
    raw["components"]["grafana"]["datasource_uid"] = uid
    lab = inventory.parse(raw, env={})
    files = {item.path: item for item in grafana.files(lab, lab.node("node1"))}
    provisioned = {s["uid"] for s in yaml.safe_load(files["/etc/grafana/provisioning/datasources/promlab.yaml"].text())["datasources"]}
    for path, item in files.items():
        if path.startswith(grafana.DASHBOARDS + "/"):
            named = _uids(json.loads(item.text())) - {"-- Grafana --", "grafana"}
            assert named <= provisioned, f"{path} names {sorted(named - provisioned)}; provisioned: {sorted(provisioned)}"
