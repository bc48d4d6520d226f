"""The classroom's machine as examples/classroom.yaml describes it, rendered: the service where its forwarded ports
reach it, with a hardened unit, scraped by its Prometheus, holding the credentials' hashes only; its reports port the one forwarded
port that may leave 127.0.0.1; a roster that is missing or wrong stops it in one sentence, before any machine."""

import json
import subprocess

import pytest

from host import rendering, vagrant
from provision import inventory, roster, steps
from provision.roles import classroom as role
from tests import pristine

NAMES = ["Zoé Martin", "seat 12"]


@pytest.fixture
def classroom(tmp_path, monkeypatch):
    """The example's lab, its roster and secret in tmp_path (the checkout's own stay untouched)."""
    (tmp_path / "roster.txt").write_text("# the class\n" + "\n".join(NAMES) + "\n", encoding="utf-8")
    monkeypatch.setattr(role.paths, "REPO", tmp_path)
    monkeypatch.setattr(role, "SECRET", tmp_path / "secrets" / "classroom-secret")
    return inventory.parse(pristine.raw("examples/classroom.yaml"), env={}), tmp_path


def test_the_classroom_example_is_lab_yaml_with_one_classroom_machine():
    example, lab_yaml = pristine.raw("examples/classroom.yaml"), pristine.raw("lab.yaml")
    classroom = example["components"].pop("classroom")
    assert example["components"] == lab_yaml["components"], "its pins drift from lab.yaml's"
    assert classroom["host_address"] == "127.0.0.1", "the example opens a port beyond 127.0.0.1 by itself"
    assert [n["name"] for n in example["nodes"]] == ["classroom"]
    assert example["lab"]["network"] != lab_yaml["lab"]["network"], "the classroom shares the lab's network"


def test_the_service_listens_where_its_forwarded_ports_reach_and_its_prometheus_scrapes_it(classroom, tmp_path):
    lab, _ = classroom
    rendering.write_tree(lab, tmp_path / "tree")
    node = tmp_path / "tree" / "classroom"
    unit = (node / "etc/systemd/system/classroom.service").read_text()
    assert "--reports :9300" in unit and "--page :9301" in unit
    assert "\n    --stale 120\n" in unit and "\nRestart=on-failure\n" in unit, unit
    assert "--prometheus http://192.168.57.10:9090" in unit
    config = (node / "etc/prometheus/prometheus.yml").read_text()
    assert "job_name: classroom" in config and "192.168.57.10:9301" in config
    assert subprocess.run(["promtool", "check", "config", "--syntax-only", str(node / "etc/prometheus/prometheus.yml")],
                          capture_output=True).returncode == 0


def test_the_service_holds_the_credentials_hashes_never_a_credential(classroom, tmp_path):
    lab, folder = classroom
    (students,) = [f for f in role.files(lab, lab.nodes[0]) if f.path == role.STUDENTS]
    table = json.loads(students.text())
    secret = (folder / "secrets" / "classroom-secret").read_text().strip()
    assert table["students"] == NAMES
    assert sorted(table["credentials"].values()) == sorted(NAMES)
    assert not any(roster.credential(secret, n) in students.text() for n in NAMES)
    assert (students.group, students.mode, students.secret) == ("classroom", 0o640, True)


@pytest.mark.parametrize(("roster_text", "says"), [(None, "does not exist"), ("Zoé\nzoé\n", "already line 1"),
                                                   ("\n", "no student")])
def test_a_roster_missing_or_wrong_stops_the_classroom_in_one_sentence(classroom, roster_text, says):
    lab, folder = classroom
    if roster_text is None:
        (folder / "roster.txt").unlink()
    else:
        (folder / "roster.txt").write_text(roster_text, encoding="utf-8")
    with pytest.raises(steps.StepError, match=says) as refused:
        role.students(lab)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("address", ["127.0.0.1", "192.168.1.10"])
def test_the_reports_port_alone_binds_the_teachers_address(address):
    raw = pristine.raw("examples/classroom.yaml")
    raw["components"]["classroom"]["host_address"] = address
    lab = inventory.parse(raw, env={})
    ports = json.loads(vagrant.to_json(lab))["nodes"][0]["forwarded_ports"]
    assert {fp["guest"]: fp["host_ip"] for fp in ports} == {9300: address, 9301: "127.0.0.1", 9090: "127.0.0.1",
                                                            3000: "127.0.0.1"}


def test_the_labs_forwarded_ports_stay_on_127_0_0_1(lab_yaml):
    lab = inventory.parse(lab_yaml, env={})
    assert {fp["host_ip"] for n in json.loads(vagrant.to_json(lab))["nodes"] for fp in n["forwarded_ports"]} == {"127.0.0.1"}


def _self_signed(folder, name="classroom"):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-keyout", str(folder / f"{name}.key"), "-out", str(folder / f"{name}.pem")], check=True,
                   capture_output=True)


def _with_tls(folder, certificate="classroom.pem", key="classroom.key"):
    raw = pristine.raw("examples/classroom.yaml")
    raw["components"]["classroom"]["tls"] = {"certificate": certificate, "key": key}
    return inventory.parse(raw, env={})


def test_with_a_certificate_the_reports_port_serves_https_its_key_private(classroom, tmp_path):
    _, folder = classroom
    _self_signed(folder)
    lab = _with_tls(folder)
    found = {f.path: f for f in role.files(lab, lab.nodes[0])}
    unit = found["/etc/systemd/system/classroom.service"].text()
    assert f"--tls-certificate {role.TLS_CERTIFICATE}" in unit and f"--tls-key {role.TLS_KEY}\n" in unit
    assert "\nRestart=on-failure\n" in unit, unit
    key = found[role.TLS_KEY]
    assert (key.group, key.mode, key.secret) == ("classroom", 0o640, True)
    assert role.scheme(lab) == "https"


@pytest.mark.parametrize("case", ["missing", "not-a-certificate", "key-of-another"])
def test_a_certificate_that_cannot_serve_is_refused_in_one_sentence(classroom, case):
    _, folder = classroom
    _self_signed(folder)
    _self_signed(folder, "other")
    certificate, key = {"missing": ("nowhere.pem", "classroom.key"), "not-a-certificate": ("roster.txt", "classroom.key"),
                        "key-of-another": ("classroom.pem", "other.key")}[case]
    lab = _with_tls(folder, certificate, key)
    with pytest.raises(steps.StepError, match="components.classroom.tls") as refused:
        role.files(lab, lab.nodes[0])
    assert "\n" not in str(refused.value) and "allowed:" in str(refused.value)
