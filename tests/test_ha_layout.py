"""The HA layout from lab.yaml: what the validator refuses, and what replicas, VictoriaMetrics and Thanos
are given (rendered on the host; the labtests prove it on a running lab)."""

import copy
import subprocess
import threading

import pytest
import yaml

from host import rendering
from provision import credentials, inventory
from provision.roles import prometheus, thanos, victoriametrics
from tests import pristine
from tests.conftest import needs_promtool

HA = pristine.raw("examples/ha.yaml")
FAKE_PINS = {"amd64": "a" * 64, "arm64": "b" * 64}  # Thanos' real pins are not checked yet (see lab.yaml)


@pytest.fixture(autouse=True)
def secrets_elsewhere(tmp_path, monkeypatch):
    """The remote-write password is made under tmp_path, never in the repository's .promlab."""
    monkeypatch.setattr(credentials, "REMOTE_WRITE", tmp_path / "secrets" / "remote-write-password")


def _with(raw, **roles):
    """A copy of `raw` where node N's roles are roles[N]."""
    raw = copy.deepcopy(raw)
    for node in raw["nodes"]:
        node["roles"] = roles.get(node["name"], node["roles"])
    return raw


def thanos_lab():
    raw = _with(HA, node3=["alertmanager", "thanos", "node_exporter", "mysqld_exporter"])
    raw["components"]["thanos"]["release"]["sha256"] = FAKE_PINS
    return inventory.parse(raw, env={"LAB_INSTALL_METHOD": "release"})


def _problems(raw, env=None):
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.parse(raw, env=env or {})
    return refused.value.problems


def _refused(raw, field, words, env=None):
    problems = _problems(raw, env)
    assert any(p.startswith(field) and words in p for p in problems), problems


def test_two_prometheus_without_a_global_view_are_refused():
    raw = _with(HA, node3=["alertmanager", "node_exporter", "mysqld_exporter"])
    _refused(raw, "nodes[].roles: ['node1', 'node2']", "no global view")


def test_two_global_views_are_refused():
    raw = _with(HA, node4=["node_exporter", "nginx_exporter", "thanos"])
    _refused(raw, "nodes[].roles", "two global views")


def test_thanos_with_the_apt_method_is_refused():
    raw = _with(HA, node3=["alertmanager", "thanos", "node_exporter", "mysqld_exporter"])
    raw["components"]["thanos"]["release"]["sha256"] = FAKE_PINS
    _refused(raw, "nodes[].roles", "Debian has no Thanos", env={"LAB_INSTALL_METHOD": "apt"})


def test_thanos_without_a_pin_per_architecture_is_refused():
    raw = _with(HA, node3=["alertmanager", "thanos", "node_exporter", "mysqld_exporter"])
    raw["components"]["thanos"]["release"]["sha256"] = {"amd64": "a" * 64}
    _refused(raw, "components.thanos.release.sha256", "no Debian package", env={"LAB_INSTALL_METHOD": "release"})


@pytest.mark.parametrize("label", ["node", "job", "instance", "lab", "alertname", "Replica", "", "re plica"])
def test_a_replica_label_that_would_merge_or_break_series_is_refused(label):
    raw = copy.deepcopy(HA)
    raw["components"]["prometheus"]["replica_label"] = label
    _refused(raw, "components.prometheus.replica_label", "allowed")


def test_a_single_prometheus_has_no_replica_label():
    lab = pristine.lab()
    config = yaml.safe_load(prometheus.files(lab, lab.prometheus_node)[1].text())
    assert config["global"]["external_labels"] == {"lab": "promlab"}
    assert "alert_relabel_configs" not in config["alerting"] and "remote_write" not in config


@pytest.fixture
def ha():
    return inventory.parse(copy.deepcopy(HA), env={})


def _config(lab, node):
    return yaml.safe_load(next(f for f in prometheus.files(lab, lab.node(node)) if f.path == prometheus.CONFIG).text())


@pytest.mark.parametrize("node", ["node1", "node2"])
def test_each_replica_names_itself_and_drops_the_name_from_alerts_and_writes(ha, node):
    config = _config(ha, node)
    assert config["global"]["external_labels"] == {"lab": "promlab", "replica": node}
    assert config["alerting"]["alert_relabel_configs"] == [{"action": "labeldrop", "regex": "replica"}]
    (write,) = config["remote_write"]
    assert write["url"] == "http://192.168.56.13:8428/api/v1/write"
    assert write["write_relabel_configs"] == [{"action": "labeldrop", "regex": "replica"}]
    assert write["basic_auth"] == {"username": "promlab", "password_file": prometheus.REMOTE_WRITE_PASSWORD}


def test_the_replicas_scrape_the_same_targets(ha):
    first, second = (_config(ha, n)["scrape_configs"] for n in ("node1", "node2"))
    assert first == second
    (own,) = [job for job in first if job["job_name"] == "prometheus"]
    assert [sc["targets"] for sc in own["static_configs"]] == [["192.168.56.11:9090"], ["192.168.56.12:9090"]]


def test_every_replica_sends_to_every_alertmanager(ha):
    for node in ("node1", "node2"):
        (group,) = _config(ha, node)["alerting"]["alertmanagers"]
        assert group["static_configs"][0]["targets"] == ["192.168.56.11:9093", "192.168.56.12:9093", "192.168.56.13:9093"]


@needs_promtool
@pytest.mark.parametrize("lab", ["victoriametrics", "thanos"])
def test_promtool_accepts_each_replicas_config(ha, lab, tmp_path):
    lab = ha if lab == "victoriametrics" else thanos_lab()
    rendering.write_tree(lab, tmp_path)
    for node in ("node1", "node2"):
        config = tmp_path / node / "etc/prometheus/prometheus.yml"
        password = tmp_path / node / prometheus.REMOTE_WRITE_PASSWORD.lstrip("/")  # where promtool finds it here
        config.write_text(config.read_text().replace(prometheus.REMOTE_WRITE_PASSWORD, str(password)))
        proc = subprocess.run(["promtool", "check", "config", str(config)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_victoriametrics_deduplicates_at_the_scrape_interval_and_authenticates_writes(ha):
    node = ha.node("node3")
    secret, unit = victoriametrics.files(ha, node)
    text = unit.text()
    assert "-dedup.minScrapeInterval=15s" in text and "-retentionPeriod=168h" in text
    assert "-httpListenAddr=192.168.56.13:8428" in text and "-envflag.enable" in text
    assert f"EnvironmentFile={victoriametrics.CREDENTIALS}" in text
    user, password = credentials.remote_write()
    assert secret.secret and secret.mode == 0o600 and secret.text() == f"httpAuth_username={user}\nhttpAuth_password={password}\n"
    assert password not in text


def test_the_remote_write_password_is_made_once_and_shared(tmp_path):
    path = tmp_path / "secrets" / "shared"
    found = []
    threads = [threading.Thread(target=lambda: found.append(credentials.shared(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1 and len(found[0]) >= 32, found
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert list(path.parent.iterdir()) == [path], "a temporary file was left behind"


def test_thanos_runs_a_sidecar_and_a_store_beside_each_replica():
    lab = thanos_lab()
    for name in ("node1", "node2"):
        node = lab.node(name)
        units = {u for u, _, _ in prometheus.services(lab, node)}
        datasets = {prometheus.DATASETS} if node is lab.prometheus_node else set()  # the exercises' data sets: the first only
        assert units == {"prometheus", thanos.SIDECAR, thanos.STORE} | datasets
        sidecar = next(f for f in thanos.beside_files(lab, node) if f.path.endswith(f"{thanos.SIDECAR}.service")).text()
        assert f"--grpc-address={node.ip}:10901" in sidecar and "--tsdb.path=/var/lib/prometheus/data" in sidecar
        unit = next(f for f in prometheus.files(lab, node) if f.path.endswith("prometheus.service")).text()
        assert "--storage.tsdb.min-block-duration=2h" in unit and "--storage.tsdb.max-block-duration=2h" in unit
    assert yaml.safe_load(thanos.beside_files(lab, lab.node("node1"))[0].text()) == {
        "type": "FILESYSTEM", "config": {"directory": thanos.BUCKET}}


def test_the_thanos_querier_deduplicates_on_the_replica_label_over_every_sidecar_and_store():
    lab = thanos_lab()
    (unit,) = thanos.files(lab, lab.node("node3"))
    lines = [line.strip(" \\") for line in unit.text().splitlines()]
    assert "--query.replica-label=replica" in lines
    assert [line for line in lines if line.startswith("--endpoint=")] == [
        "--endpoint=192.168.56.11:10901", "--endpoint=192.168.56.11:10905",
        "--endpoint=192.168.56.12:10901", "--endpoint=192.168.56.12:10905"]
    assert "--http-address=192.168.56.13:10904" in lines
    assert not unit.text().rstrip().endswith("\\")


def test_a_thanos_port_taken_by_another_service_is_refused():
    raw = _with(HA, node3=["alertmanager", "thanos", "node_exporter", "mysqld_exporter"])
    raw["components"]["thanos"]["release"]["sha256"] = FAKE_PINS
    raw["components"]["thanos"]["sidecar_grpc_port"] = 9093
    problems = _problems(raw, env={"LAB_INSTALL_METHOD": "release"})
    assert any("9093 is also the port of thanos-sidecar on node1" in p for p in problems), problems


def _datasources(lab):
    from provision.roles import grafana

    rendered = next(f for f in grafana.files(lab, lab.node("node1")) if f.path.endswith("datasources/promlab.yaml"))
    assert rendered.mode == 0o640 and rendered.group == "grafana", "the datasources file holds a password: not world-readable"
    return yaml.safe_load(rendered.text())["datasources"]


def test_grafana_defaults_to_the_global_view_and_keeps_each_replica(ha):
    uid = ha.components["grafana"]["datasource_uid"]
    found = _datasources(ha)
    assert [(d["name"], d["uid"], d["url"], d["isDefault"]) for d in found] == [
        ("Global view (victoriametrics)", uid, "http://192.168.56.13:8428", True),
        ("Prometheus node1", f"{uid}-node1", "http://192.168.56.11:9090", False),
        ("Prometheus node2", f"{uid}-node2", "http://192.168.56.12:9090", False)]
    assert found[0]["basicAuthUser"] == "promlab"
    assert found[0]["secureJsonData"]["basicAuthPassword"] == credentials.remote_write()[1]
    assert all("basicAuth" not in d for d in found[1:])


def test_grafana_reads_the_thanos_querier_without_credentials():
    lab = thanos_lab()
    view = _datasources(lab)[0]
    assert view["url"] == "http://192.168.56.13:10904" and "basicAuth" not in view
