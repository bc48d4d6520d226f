"""Check mode and the recording runner: facts in, commands out. A step in check mode reads and compares as
always, says `differs` with what it would do, and issues no command that changes anything."""

import os
import types
from pathlib import Path

import pytest

from host import rendering
from provision import credentials, install, inventory, steps
from provision.render import Rendered, put
from tests import pristine
from tests.recorder import Recorder


@pytest.fixture
def recorder(root, capsys):
    return Recorder(node="test", root=root, check=True)


RUNNING = {("systemctl", "is-enabled"): (0, "enabled\n"), ("systemctl", "is-active"): (0, "active\n")}
STOPPED = {("systemctl", "is-enabled"): (1, "disabled\n"), ("systemctl", "is-active"): (3, "inactive\n")}


def test_a_file_that_differs_is_named_with_its_diff_and_left_as_it_is(recorder, capsys):
    target = recorder.path("/etc/prometheus/prometheus.yml")
    target.parent.mkdir(parents=True)
    target.write_text("scrape_configs:\n  - job_name: node\n")
    assert steps.file(recorder, "/etc/prometheus/prometheus.yml", "scrape_configs:\n  - job_name: node\n  - job_name: mysql\n")
    said = capsys.readouterr().out
    assert "differs file /etc/prometheus/prometheus.yml: would be written" in said and "+  - job_name: mysql" in said
    assert target.read_text() == "scrape_configs:\n  - job_name: node\n"


def test_a_missing_file_is_named_absent_and_not_written(recorder, capsys):
    assert steps.file(recorder, "/etc/x.conf", "a\n")
    assert "would be written: absent" in capsys.readouterr().out and not recorder.path("/etc/x.conf").exists()


def test_a_secret_file_that_differs_never_shows_its_content(recorder, capsys):
    target = recorder.path("/etc/grafana/admin-password")
    target.parent.mkdir(parents=True)
    target.write_text("old-password-1")
    put(recorder, Rendered("/etc/grafana/admin-password", "", {}, content="new-password-2", secret=True, mode=0o640))
    said = capsys.readouterr().out
    assert "differs" in said and "old-password-1" not in said and "new-password-2" not in said


def test_a_mode_drift_is_named_and_not_repaired(recorder, capsys):
    path = recorder.path("/etc/prometheus")
    path.mkdir(parents=True)
    os.chmod(path, 0o777)
    assert steps.directory(recorder, "/etc/prometheus", mode=0o750)
    assert "mode 0750" in capsys.readouterr().out and os.stat(path).st_mode & 0o777 == 0o777


def test_a_missing_user_and_directory_are_named_not_made(recorder, capsys):
    assert steps.user(recorder, "prometheus", home="/var/lib/prometheus")
    assert steps.directory(recorder, "/var/lib/prometheus", "prometheus", "prometheus", 0o750)
    assert not recorder.path("/var/lib/prometheus").exists() and "prometheus:" not in recorder.path("/etc/passwd").read_text()
    assert recorder.changing() == []


@pytest.mark.parametrize(("facts", "restart", "reload", "differs"), [
    (RUNNING, False, False, False), (STOPPED, False, False, True), (RUNNING, True, False, True), (RUNNING, False, True, True)],
    ids=["running", "stopped", "to-restart", "to-reload"])
def test_a_service_is_compared_and_never_touched(recorder, facts, restart, reload, differs):
    recorder.facts = facts
    recorder.daemon_reload_needed = True
    assert steps.service(recorder, "prometheus", restart=restart, reload=reload) == differs
    assert recorder.changing() == [], recorder.changing()


def test_a_missing_package_is_named_not_installed(recorder, capsys):
    recorder.facts = {("dpkg-query",): (1, "")}
    assert install.apt_package(recorder, "prometheus")
    assert recorder.changing() == [] and not recorder.path(install.POLICY_RC).exists()
    assert "would be installed" in capsys.readouterr().out


def test_an_unmasked_unit_is_named_not_masked(recorder):
    recorder.facts = {("systemctl", "is-enabled"): (0, "enabled\n")}
    assert steps.masked(recorder, "prometheus-node-exporter.service")
    assert recorder.changing() == []


# --- the same steps for real, recorded: a second run issues no changing command -------------------------------


@pytest.fixture
def real(root, capsys):
    return Recorder(node="test", root=root)


def test_a_running_service_is_left_alone_on_a_second_run(real):
    real.facts = RUNNING
    assert not steps.service(real, "prometheus")
    assert real.changing() == []


def test_a_stopped_service_is_enabled_and_started(real):
    real.facts = dict(STOPPED)
    with pytest.raises(steps.StepError):  # the recorder's unit never becomes active: the start is reported failed
        steps.service(real, "prometheus")
    assert ("systemctl", "enable", "prometheus") in real.issued and ("systemctl", "start", "prometheus") in real.issued


def test_an_installed_package_issues_no_apt_command(real):
    real.facts = {("dpkg-query",): (0, "install ok installed")}
    assert not install.apt_package(real, "prometheus")
    assert real.changing() == []


def test_installing_a_package_writes_the_policy_under_the_run_s_root(real):
    """policy-rc.d keeps packages from starting services while they install; under a test root, it is the root's."""
    real.facts = {("dpkg-query",): (1, "")}
    assert install.apt_package(real, "prometheus")
    assert ("apt-get", "install", "-y", "-q", "--no-install-recommends", "prometheus") in real.issued
    assert not real.path(install.POLICY_RC).exists(), "the policy stayed after the install"


class Guest(Recorder):
    """A Recorder whose useradd adds the user to the root's passwd and group, as the real one does."""

    def sh(self, *cmd, check=True, env=None, input=None):
        if cmd[0] == "useradd":
            name = cmd[-1]
            with open(self.path("/etc/passwd"), "a") as f:
                f.write(f"{name}:x:{900 + len(self.issued)}:{900 + len(self.issued)}::/nonexistent:/usr/sbin/nologin\n")
            with open(self.path("/etc/group"), "a") as f:
                f.write(f"{name}:x:{900 + len(self.issued)}:\n")
        return super().sh(*cmd, check=check, env=env, input=input)


INSTALLED = {**RUNNING, ("dpkg-query",): (0, "install ok installed"), ("systemctl", "is-enabled", "prometheus-node-exporter.service"):
             (0, "masked\n")}


@pytest.mark.parametrize("role", ["node_exporter", "blackbox_exporter", "prometheus", "alertmanager"])
def test_a_second_run_of_a_role_issues_no_changing_command(root, lab_yaml, role, capsys, monkeypatch):
    """The role's apply, twice, with the apt method on a temporary root: the second run reports 0 changed and
    issues no command that changes anything (facts: packages installed, their units masked, services running)."""
    import copy

    from provision import inventory, roles

    monkeypatch.setattr(steps, "_fix_owner_mode", lambda run, path, owner, group, mode: [])  # no chown on a test root
    clock = iter(range(10**6))
    monkeypatch.setattr(steps, "time", types.SimpleNamespace(monotonic=lambda: next(clock), sleep=lambda s: None))
    lab = inventory.parse(copy.deepcopy(lab_yaml), env={"LAB_INSTALL_METHOD": "apt"})
    node = lab.nodes_with(role)[0]
    facts = {**INSTALLED, **{("systemctl", "is-enabled", u): (0, "masked\n") for u in lab.components[role]["apt"]["replaces"]}}
    first = Guest(node=node.name, root=root, facts=facts)
    roles.contract(role).apply(first, lab, node, str(root / "cache"))
    assert first.counts["changed"] > 0
    second = Guest(node=node.name, root=root, facts=facts)
    roles.contract(role).apply(second, lab, node, str(root / "cache"))
    assert second.counts["changed"] == 0, capsys.readouterr().out
    assert second.changing() == [], second.changing()


def _quoting_a_secret():
    """Every file the roles install on a lab with Grafana, the global view and an Alertmanager cluster, that quotes
    one of the lab's shared secrets: (node, Rendered)."""
    raw = pristine.raw("examples/ha.yaml")
    raw["nodes"][0]["roles"] = list(dict.fromkeys(raw["nodes"][0]["roles"] + ["grafana"]))
    lab = inventory.parse(raw, env={})
    return [(node.name, item) for node in lab.nodes for item in rendering.node_files(lab, node)
            if credentials.within(item.text())]


QUOTING = _quoting_a_secret()


def test_the_files_quoting_a_secret_include_grafanas_datasource():
    assert "/etc/grafana/provisioning/datasources/promlab.yaml" in {item.path for _, item in QUOTING}


@pytest.mark.parametrize(("node", "item"), QUOTING, ids=[f"{n}:{i.path}" for n, i in QUOTING])
def test_check_mode_never_shows_a_file_that_quotes_a_secret(recorder, capsys, node, item):
    """Whether or not its role marked it secret: an older copy on the node (another password) and the new one both
    stay unsaid; only that it would change."""
    secrets = [path.read_text().strip() for path in credentials.SHARED if path.is_file()]
    new = item.text()
    old = new
    for n, value in enumerate(secrets):
        old = old.replace(value, f"an-older-secret-{n:04d}")
    target = recorder.path(item.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(old)
    put(recorder, item)
    said = capsys.readouterr().out
    assert "differs" in said and "an-older-secret" not in said and not any(v in said for v in secrets), said


def test_rendered_files_holding_a_secret_are_private(lab_yaml, tmp_path):
    """`make render` and `make check` write them 0600, in folders only the user enters (0700), from their creation."""
    raw = pristine.raw("examples/ha.yaml")
    lab = inventory.parse(raw, env={})
    written = rendering.write_tree(lab, tmp_path / "rendered")
    folders = {p for path in written for p in path.relative_to(tmp_path).parents if p != Path(".")}
    assert {oct((tmp_path / f).stat().st_mode & 0o777) for f in folders} == {"0o700"}
    quoting = [p for p in written if credentials.within(p.read_text())]
    assert quoting and {oct(p.stat().st_mode & 0o777) for p in quoting} == {"0o600"}
