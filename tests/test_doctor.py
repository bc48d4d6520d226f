"""`make doctor`: each check says yes or no, and what to do, from what the computer really has."""

import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from provision import inventory
from scripts import doctor
from tests import pristine


def lab_with_ports(*ports, name="nodeX"):
    node = SimpleNamespace(name=name, memory=512, forwarded_ports=[{"guest": 9090, "host": p} for p in ports])
    return SimpleNamespace(nodes=[node])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_port_another_program_holds_is_named_with_the_fix():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ok, (fr, en) = doctor.check_ports(lab_with_ports(port))
    assert not ok and str(port) in en and "forwarded_ports" in en and str(port) in fr


def test_free_ports_pass():
    port = free_port()
    ok, (_, en) = doctor.check_ports(lab_with_ports(port))
    assert ok and str(port) in en


@pytest.fixture
def fake_vagrant(tmp_path, monkeypatch):
    def install(version):
        script = tmp_path / "vagrant"
        script.write_text(f"#!/bin/sh\necho 'Vagrant {version}'\n")
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    return install


@pytest.mark.parametrize(("version", "ok"), [("2.2.19", False), ("2.3.4", True), ("2.4.9", True)])
def test_vagrant_older_than_2_3_is_refused(fake_vagrant, version, ok):
    fake_vagrant(version)
    assert doctor.check_vagrant()[0] is ok


def test_no_vagrant_says_where_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    ok, (_, en) = doctor.check_vagrant()
    assert not ok and "not installed" in en and "https://" in en


@pytest.mark.parametrize(("provider", "have", "ok"), [("docker", 4096, True), ("virtualbox", 4096, False), ("virtualbox", 8192, True)])
def test_free_memory_is_weighed_against_what_lab_yaml_asks(monkeypatch, provider, have, ok):
    monkeypatch.setenv("VAGRANT_DEFAULT_PROVIDER", provider)
    monkeypatch.setattr(doctor, "_available_mib", lambda: have)
    result, (fr, en) = doctor.check_memory(pristine.lab())
    assert result is ok and ("lab.yaml" in en) is not ok
    assert "\u00a0Gio" in fr and "," in fr


SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.mark.skipif(not Path(SYSTEM_PYTHON).exists(), reason=f"no {SYSTEM_PYTHON} on this machine to run it before the venv")
def test_it_runs_with_the_system_python_before_the_venv():
    proc = subprocess.run([SYSTEM_PYTHON, "-m", "scripts.doctor", "--lang", "en"], cwd=inventory.REPO,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert "Python" in proc.stdout and ("All set" in proc.stdout or "to fix before the workshop" in proc.stdout)
