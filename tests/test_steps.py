"""The shared steps on a temporary root: a second run reports ok and changes nothing."""

import os
import stat

import pytest

from provision import steps


def _stat(path):
    st = os.stat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def test_user_is_created_once(run):
    assert steps.user(run, "prometheus", home="/var/lib/prometheus")
    assert not steps.user(run, "prometheus", home="/var/lib/prometheus")
    entries = [line for line in run.path("/etc/passwd").read_text().splitlines() if line.startswith("prometheus:")]
    assert len(entries) == 1 and entries[0].endswith(":/var/lib/prometheus:/usr/sbin/nologin")


def test_directory_is_created_then_ok(run):
    steps.user(run, "prometheus", home="/var/lib/prometheus")
    assert steps.directory(run, "/var/lib/prometheus", "prometheus", "prometheus", 0o750)
    first = _stat(run.path("/var/lib/prometheus"))
    assert first[2] == 0o750
    assert not steps.directory(run, "/var/lib/prometheus", "prometheus", "prometheus", 0o750)
    assert _stat(run.path("/var/lib/prometheus")) == first


def test_directory_mode_drift_is_repaired(run):
    steps.directory(run, "/etc/prometheus", mode=0o750)
    os.chmod(run.path("/etc/prometheus"), 0o777)
    assert steps.directory(run, "/etc/prometheus", mode=0o750)
    assert _stat(run.path("/etc/prometheus"))[2] == 0o750


def test_file_is_written_then_ok(run):
    assert steps.file(run, "/etc/prometheus/prometheus.yml", "a: 1\n", mode=0o640)
    mtime = run.path("/etc/prometheus/prometheus.yml").stat().st_mtime_ns
    assert not steps.file(run, "/etc/prometheus/prometheus.yml", "a: 1\n", mode=0o640)
    assert run.path("/etc/prometheus/prometheus.yml").stat().st_mtime_ns == mtime


def test_file_content_change_is_written(run):
    steps.file(run, "/etc/x.conf", "old\n")
    assert steps.file(run, "/etc/x.conf", "new\n")
    assert run.path("/etc/x.conf").read_text() == "new\n"


def test_refused_file_leaves_the_old_one(run):
    steps.file(run, "/etc/x.conf", "good\n")

    def refuse(path):
        raise steps.StepError("refused")

    with pytest.raises(steps.StepError):
        steps.file(run, "/etc/x.conf", "bad\n", validate=refuse)
    assert run.path("/etc/x.conf").read_text() == "good\n"
    assert [p.name for p in run.path("/etc").iterdir() if p.name.startswith(".x.conf")] == []


def test_validator_sees_the_new_content(run):
    seen = []
    steps.file(run, "/etc/x.conf", "new\n", validate=lambda p: seen.append(open(p).read()))
    assert seen == ["new\n"]


def test_unit_change_asks_for_daemon_reload_once(run):
    assert steps.unit(run, "x.service", "[Service]\nExecStart=/bin/true\n")
    assert run.daemon_reload_needed
    run.daemon_reload_needed = False
    assert not steps.unit(run, "x.service", "[Service]\nExecStart=/bin/true\n")
    assert not run.daemon_reload_needed


def test_report_lines_and_summary(run, capsys):
    steps.file(run, "/etc/x.conf", "a\n")
    steps.file(run, "/etc/x.conf", "a\n")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("changed file /etc/x.conf")
    assert out[1].startswith("ok      file /etc/x.conf: content, owner and mode as wanted")
    assert run.summary() == "test: 1 ok, 1 changed"


def test_apt_proxy_is_written_while_set_and_removed_after(run):
    from provision import install

    assert install.apt_proxy(run, "http://192.168.56.1:3142") is True
    assert 'Acquire::http::Proxy "http://192.168.56.1:3142";' in run.path(install.PROXY_CONF).read_text()
    assert install.apt_proxy(run, "http://192.168.56.1:3142") is False
    assert install.apt_proxy(run, None) is True and not run.path(install.PROXY_CONF).exists()
    assert install.apt_proxy(run, None) is False
