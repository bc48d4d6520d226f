"""What the host tells the Vagrantfile about the providers that are not docker: libvirt's driver (KVM where it can run
the machines, QEMU's emulation elsewhere, said once), its CPU model, the one-way copy's exclusions, and the notes."""

import ipaddress
import json
import os
import shutil
import subprocess

import pytest

from host import vagrant
from provision import inventory
from tests import pristine

VMX = "processor\t: 0\nflags\t\t: fpu vme sse2 vmx hypervisor\n"
NO_VMX = "processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor\n"


@pytest.fixture
def cpuinfo(tmp_path):
    def write(text):
        path = tmp_path / "cpuinfo"
        path.write_text(text)
        return str(path)
    return write


@pytest.fixture
def kvm_device(tmp_path):
    path = tmp_path / "kvm"
    path.write_text("")
    path.chmod(0o660)
    return str(path)


def test_a_processor_without_vmx_or_svm_cannot_run_kvm_even_with_a_dev_kvm(cpuinfo, kvm_device):
    why = vagrant.kvm_unusable(cpuinfo(NO_VMX), kvm_device)
    assert why and "vmx or svm" in why


@pytest.mark.parametrize("flag", ["vmx", "svm"])
def test_hardware_virtualisation_and_an_open_dev_kvm_run_kvm(cpuinfo, kvm_device, flag):
    assert vagrant.kvm_unusable(cpuinfo(VMX.replace("vmx", flag)), kvm_device) is None


def test_no_dev_kvm_is_named(cpuinfo, tmp_path):
    why = vagrant.kvm_unusable(cpuinfo(VMX), str(tmp_path / "absent"))
    assert why and "absent" in why


def lab_with(libvirt):
    lab = pristine.lab("examples/libvirt.yaml")
    lab.libvirt = libvirt
    return lab


@pytest.mark.parametrize(("settings", "unusable", "expected"), [
    ({"driver": "auto", "cpu_model": "qemu64"}, "no vmx", {"driver": "qemu", "cpu_model": "qemu64"}),
    ({"driver": "auto", "cpu_model": "max"}, "no vmx", {"driver": "qemu", "cpu_model": "max"}),
    ({"driver": "auto", "cpu_model": "qemu64"}, None, {"driver": "kvm", "cpu_model": None}),
    ({"driver": "kvm", "cpu_model": "qemu64"}, "no vmx", {"driver": "kvm", "cpu_model": None}),
    ({"driver": "qemu", "cpu_model": "qemu64"}, None, {"driver": "qemu", "cpu_model": "qemu64"}),
])
def test_libvirt_takes_kvm_where_it_runs_and_qemus_emulation_elsewhere(settings, unusable, expected):
    assert vagrant.libvirt(lab_with(settings), lambda: unusable) == expected


def test_emulation_chosen_for_the_user_is_said_once_with_why():
    found = vagrant.notes(lab_with({"driver": "auto", "cpu_model": "qemu64"}), {"VAGRANT_DEFAULT_PROVIDER": "libvirt"},
                          lambda: "the processor has no vmx or svm flag")
    assert len(found) == 1 and "QEMU's software emulation" in found[0] and "no vmx or svm" in found[0]


@pytest.mark.parametrize(("provider", "driver"), [("docker", "auto"), ("virtualbox", "auto"), ("libvirt", "qemu")])
def test_no_emulation_note_where_nothing_was_chosen_for_the_user(provider, driver):
    lab = lab_with({"driver": driver, "cpu_model": "qemu64"})
    assert vagrant.notes(lab, {"VAGRANT_DEFAULT_PROVIDER": provider}, lambda: "no vmx") == []


@pytest.mark.parametrize("network", ["192.168.64.0/24", "10.1.0.0/24"])
def test_a_network_virtualbox_refuses_is_noted(network):
    lab = lab_with({"driver": "qemu", "cpu_model": "qemu64"})
    lab.network = network
    found = vagrant.notes(lab, {})
    assert len(found) == 1 and "192.168.56.0/21" in found[0] and network in found[0]


def test_the_vagrantfile_reads_libvirts_settings_and_the_copys_exclusions(monkeypatch):
    monkeypatch.setenv("LAB_FILE", "examples/libvirt.yaml")
    found = json.loads(vagrant.to_json(inventory.load("examples/libvirt.yaml"), env={}))
    assert found["libvirt"]["driver"] in ("kvm", "qemu")
    assert set(found["copy_exclude"]) >= {".vagrant/", ".venv/", ".git/", ".cache/boxes/"}


@pytest.mark.parametrize("other", ["lab.yaml", "examples/classroom.yaml"])
def test_the_libvirt_example_has_a_network_of_its_own_beside_the_other_labs(other):
    """A docker lab (lab.yaml, the classroom) and the libvirt example may stand side by side: a libvirt network and a
    docker network of one subnet cannot both exist, and a host port is held once; theirs differ."""
    lab, example = pristine.lab(other), pristine.lab("examples/libvirt.yaml")
    assert not ipaddress.IPv4Network(lab.network).overlaps(ipaddress.IPv4Network(example.network))
    ports = {fp["host"] for n in lab.nodes for fp in n.forwarded_ports}
    assert not ports & {fp["host"] for n in example.nodes for fp in n.forwarded_ports}


def test_the_libvirt_example_is_two_machines_with_its_own_box():
    example = pristine.lab("examples/libvirt.yaml")
    assert [(n.name, n.roles) for n in example.nodes] == [("node1", ["prometheus", "alertmanager"]), ("node2", ["node_exporter"])]
    assert example.boxes["libvirt"].startswith("promlab/") and example.install_method == "apt"


@pytest.mark.skipif(not shutil.which("vagrant"), reason="Vagrant is not installed here")
def test_vagrant_validates_the_libvirt_example(monkeypatch):
    plugins = subprocess.run(["vagrant", "plugin", "list"], capture_output=True, text=True).stdout
    if "vagrant-libvirt" not in plugins:
        pytest.skip("the vagrant-libvirt plugin is not installed here (.ci/run installs it)")
    proc = subprocess.run(["vagrant", "validate"], cwd=inventory.REPO, capture_output=True, text=True,
                          env={**os.environ, "VAGRANT_DEFAULT_PROVIDER": "libvirt",
                               "LAB_FILE": "examples/libvirt.yaml"})
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not shutil.which("vagrant"), reason="Vagrant is not installed here")
def test_vagrant_says_the_notes_when_it_provisions(tmp_path):
    """The notes reach the user through Vagrant (Kernel#warn would say nothing: Vagrant runs with $VERBOSE nil). A
    network VirtualBox refuses is noted whatever the host; no machine exists, none is made."""
    text = (inventory.REPO / "examples/libvirt.yaml").read_text().replace("192.168.58.", "10.20.0.")
    inventory_file = inventory.REPO / "build" / f"lab-{os.getpid()}.yaml"  # inside the repository: the guests see it
    inventory_file.parent.mkdir(exist_ok=True)
    inventory_file.write_text(text)
    try:
        proc = subprocess.run(["vagrant", "provision"], cwd=inventory.REPO, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "VAGRANT_DEFAULT_PROVIDER": "docker", "LAB_FILE": str(inventory_file),
                                   "VAGRANT_DOTFILE_PATH": str(tmp_path / "dotfile")})
    finally:
        inventory_file.unlink()
    assert "promlab: note: lab.network 10.20.0.0/24 is outside 192.168.56.0/21" in proc.stderr, proc.stdout + proc.stderr
    assert not (tmp_path / "dotfile" / "machines").exists() or not list((tmp_path / "dotfile").rglob("id"))
