"""`make box` (host/box.py): a libvirt box of Debian 13 made from Debian's packages. What goes into it, when `make up`
builds it, how it refuses in one sentence, and the disk it makes: one that boots by itself, made without loop devices."""

import json
import shutil
import subprocess
import tarfile

import pytest

from host import box
from tests import pristine

DISK_TOOLS = ("mkfs.ext4", "mkfs.fat", "mcopy", "mdir", "syslinux", "sfdisk", "qemu-img", "debugfs")


def test_the_box_carries_only_the_packages_of_the_roles_its_inventory_holds():
    packages = box.debian_packages(pristine.lab("examples/libvirt.yaml"), other_suites=False, held_only=True)
    assert {"prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "python3-bcrypt", "python3-tornado"} <= set(packages)
    assert not {"postgresql", "mariadb-server", "redis-server", "victoria-metrics"} & set(packages)


def test_a_component_from_another_suite_is_left_to_the_provisioning():
    packages = box.debian_packages(pristine.lab("examples/forky.yaml"), other_suites=False, held_only=True)
    assert "prometheus" not in packages and "prometheus-node-exporter" not in packages
    assert "postgresql" in packages  # the servers stay Debian 13's


def test_building_needs_root_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(box, "CACHE", tmp_path)
    monkeypatch.setattr(box.os, "geteuid", lambda: 1000)
    with pytest.raises(box.BoxError, match="needs root"):
        box.build(pristine.lab("examples/libvirt.yaml"))


def test_each_missing_tool_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(box, "CACHE", tmp_path)
    monkeypatch.setattr(box.os, "geteuid", lambda: 0)
    monkeypatch.setattr(box.shutil, "which", lambda tool: None if tool in ("syslinux", "qemu-img") else f"/usr/bin/{tool}")
    with pytest.raises(box.BoxError) as found:
        box.build(pristine.lab("examples/libvirt.yaml"))
    assert "syslinux" in str(found.value) and "qemu-img" in str(found.value) and "apt install" in str(found.value)


@pytest.mark.parametrize(("name", "has", "builds"), [("promlab/debian-13", [], True), ("promlab/debian-13", ["0"], False),
                                                    ("debian/trixie64", [], False)])
def test_make_up_builds_only_a_promlab_box_vagrant_lacks(monkeypatch, name, has, builds):
    lab = pristine.lab("examples/libvirt.yaml")
    lab.boxes["libvirt"] = name
    built = []
    monkeypatch.setattr(box, "versions", lambda b, provider: has)
    monkeypatch.setattr(box, "build", lambda lab, packages: built.append(packages))
    box.when_missing(lab, packages=None)
    assert bool(built) is builds


@pytest.mark.parametrize(("unusable", "packages"), [("no vmx", True), (None, False)])
def test_without_kvm_the_lab_packages_go_into_the_box(monkeypatch, unusable, packages):
    from host import vagrant

    built = []
    monkeypatch.setattr(box, "versions", lambda b, provider: [])
    monkeypatch.setattr(box, "build", lambda lab, packages: built.append(packages))
    monkeypatch.setattr(vagrant, "kvm_unusable", lambda: unusable)
    box.when_missing(pristine.lab("examples/libvirt.yaml"))
    assert built == [packages]


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    missing = [t for t in DISK_TOOLS if not shutil.which(t)]
    if missing or not box.Path(box.MBR).exists():
        pytest.skip(f"the disk tools are not installed here ({', '.join(missing) or box.MBR}; .ci/run installs them)")
    root, out = tmp_path_factory.mktemp("root"), tmp_path_factory.mktemp("box")
    (root / "etc").mkdir()
    (root / "etc" / "os-release").write_text("PRETTY_NAME=\"a promlab test tree\"\n")
    (root / "vmlinuz").write_bytes(b"KERNEL" * 1000)
    (root / "initrd.img").write_bytes(b"INITRD" * 1000)
    box.image(root, out, size_gib=1)
    raw = out / "disk.raw"
    subprocess.run(["qemu-img", "convert", "-O", "raw", str(out / "box.img"), str(raw)], check=True)
    return out, raw


def test_the_disk_has_a_bootable_fat_partition_and_the_ext4_root(disk):
    _, raw = disk
    table = json.loads(subprocess.run(["sfdisk", "--json", str(raw)], capture_output=True, text=True, check=True).stdout)
    first, second = table["partitiontable"]["partitions"]
    assert first.get("bootable") and first["type"] == "c" and second["type"] == "83"
    assert raw.read_bytes()[510:512] == b"\x55\xaa"  # the MBR boots (syslinux's code, the table's signature)


def test_syslinux_boots_the_kernel_with_the_root_by_label(disk):
    _, raw = disk
    at = f"{raw}@@{2048 * 512}"
    listing = subprocess.run(["mdir", "-a", "-b", "-i", at, "::"], capture_output=True, text=True, check=True).stdout
    assert {"::/ldlinux.sys", "::/vmlinuz", "::/initrd.img", "::/syslinux.cfg"} <= set(listing.lower().split())
    config = subprocess.run(["mtype", "-i", at, "::syslinux.cfg"], capture_output=True, text=True, check=True).stdout
    assert "KERNEL vmlinuz" in config and "root=LABEL=promlab" in config and "initrd=initrd.img" in config


def test_the_root_file_system_holds_the_tree(disk, tmp_path):
    _, raw = disk
    root_start = (2048 + box.BOOT_MIB * 2048) * 512
    part = tmp_path / "root.ext4"
    subprocess.run(["dd", f"if={raw}", f"of={part}", "bs=1M", f"skip={root_start >> 20}", "status=none"], check=True)
    label = subprocess.run(["e2label", str(part)], capture_output=True, text=True, check=True).stdout.strip()
    shown = subprocess.run(["debugfs", "-R", "cat /etc/os-release", str(part)], capture_output=True, text=True).stdout
    assert label == "promlab" and "a promlab test tree" in shown


def test_the_box_is_what_vagrant_libvirt_reads(disk, tmp_path):
    out, _ = disk
    assert json.loads((out / "metadata.json").read_text()) == {"provider": "libvirt", "format": "qcow2", "virtual_size": 1}
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(out / "box.img")], capture_output=True,
                                     text=True, check=True).stdout)
    assert info["format"] == "qcow2" and info["virtual-size"] == 1 << 30
    assert "disk_bus" in (out / "Vagrantfile").read_text() and "kernel" not in (out / "Vagrantfile").read_text()


def test_a_saved_box_holds_the_three_files_vagrant_adds(monkeypatch, tmp_path):
    """A box already saved is added again without being built (the teacher's copy, a second `make up`)."""
    saved = tmp_path / "promlab-debian-13-libvirt.box"
    with tarfile.open(saved, "w"):
        pass
    added = []
    monkeypatch.setattr(box, "CACHE", tmp_path)
    monkeypatch.setattr(box, "_run", lambda *command, **kw: added.append(command))
    assert box.build(pristine.lab("examples/libvirt.yaml")) == saved
    assert added == [("vagrant", "box", "add", "--force", "--name", "promlab/debian-13", "--provider", "libvirt", str(saved))]
