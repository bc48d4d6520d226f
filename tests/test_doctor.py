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


@pytest.fixture
def virtualbox(monkeypatch):
    monkeypatch.setenv("VAGRANT_DEFAULT_PROVIDER", "virtualbox")
    monkeypatch.setattr(doctor.platform, "system", lambda: "Linux")


@pytest.mark.parametrize(("network", "ok"), [("192.168.56.0/24", True), ("192.168.63.0/24", True),
                                             ("192.168.64.0/24", False), ("10.10.0.0/24", False)])
def test_virtualbox_without_networks_conf_takes_only_its_default_host_only_range(virtualbox, tmp_path, network, ok):
    found, (fr, en) = doctor.check_host_only(SimpleNamespace(network=network), conf=tmp_path / "networks.conf")
    assert found is ok and network in en and network in fr
    if not ok:
        assert "192.168.56.0/21" in en and "networks.conf" in en


def test_virtualbox_takes_the_ranges_networks_conf_allows(virtualbox, tmp_path):
    conf = tmp_path / "networks.conf"
    conf.write_text("* 10.0.0.0/8 192.168.0.0/16\n* 2001::/64\n")
    assert doctor.check_host_only(SimpleNamespace(network="10.10.0.0/24"), conf=conf)[0] is True
    conf.write_text("# nothing allowed\n")
    assert doctor.check_host_only(SimpleNamespace(network="192.168.56.0/24"), conf=conf)[0] is False


def test_the_host_only_range_is_no_question_for_other_providers(monkeypatch):
    monkeypatch.setenv("VAGRANT_DEFAULT_PROVIDER", "docker")
    assert doctor.check_host_only(SimpleNamespace(network="10.10.0.0/24")) is None


@pytest.mark.parametrize(("version", "ok"), [("7.0.20r163906", False), ("7.1.4r165100", True)])
def test_an_apple_silicon_mac_needs_virtualbox_7_1(monkeypatch, tmp_path, version, ok):
    monkeypatch.setenv("VAGRANT_DEFAULT_PROVIDER", "virtualbox")
    monkeypatch.setattr(doctor.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(doctor.platform, "machine", lambda: "arm64")
    monkeypatch.setattr(doctor, "_run", lambda *cmd: (0, version))
    assert doctor.check_provider()[0] is ok


def test_libvirt_without_hardware_virtualisation_runs_under_emulation(monkeypatch):
    monkeypatch.setenv("VAGRANT_DEFAULT_PROVIDER", "libvirt")
    monkeypatch.setattr(doctor.platform, "system", lambda: "Linux")
    monkeypatch.setattr(doctor.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(doctor.Path, "read_text", lambda self: "flags\t: fpu sse2 hypervisor\n")
    ok, (_, en) = doctor.check_virtualisation()
    assert ok and "emulation" in en
