"""A libvirt box of Debian 13 built here, from Debian's packages alone: for a host that cannot reach Vagrant Cloud (an
offline classroom, a CI machine), or one that wants the lab's packages already in its machines.

    python3 -m host.box [--packages] [--force] [lab.yaml]        (make box; BOX_PACKAGES=1 for --packages)
    python3 -m host.box --when-missing                              (make up with libvirt: only when Vagrant lacks it)

What it makes: `debootstrap` of Debian 13 (systemd, sshd, sudo, rsync, a kernel, python3 with Jinja2 and PyYAML),
the `vagrant` user with Vagrant's well-known public key (Vagrant replaces it at the first boot, as with any box) and
sudo without a password, systemd-networkd with DHCP on every wired interface (Vagrant's own file for the lab's
private network comes first), an empty machine-id (each machine makes its own), the host's APT mirror and proxy.
The tree becomes a disk that boots by itself, made without loop devices or mounts (a FAT partition with the kernel
and syslinux, the ext4 root made by `mkfs.ext4 -d`, then `qemu-img convert`): the machines' own BIOS boots it, and
QEMU never needs to read a kernel from the user's home (which it may not enter). The box is saved under
.cache/boxes/ (a teacher hands it to the class with the repository) and added to Vagrant under lab.yaml's
`boxes.libvirt` name.

--packages: the Debian packages the inventory's roles install (the apt method's, the servers exporters watch) are
installed in the box too, their own services disabled: provisioning then finds them installed, and only checks and
configures them. On a host without hardware virtualisation (QEMU's software emulation), that saves minutes a node.

Needs root (debootstrap), debootstrap, e2fsprogs (mkfs.ext4 -d), dosfstools, mtools, syslinux, fdisk (sfdisk) and
qemu-utils (qemu-img); each missing one is named.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from provision import inventory, roles, served
from provision.paths import REPO

CACHE = REPO / ".cache" / "boxes"
SUITE = "trixie"
SIZE_GIB = 8
# What every box has: what Vagrant needs (sshd, sudo, rsync for the synced folder) and the provisioning's own needs.
BASE = ("systemd-sysv", "systemd-resolved", "dbus", "openssh-server", "udev", "iproute2", "sudo", "rsync",
        "linux-image-amd64", "ca-certificates", "python3", "python3-jinja2", "python3-yaml", "procps", "curl")
# Where Debian's package and HashiCorp's installers keep Vagrant's well-known public key.
WELL_KNOWN_PUBLIC = ("/usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub",
                     "/opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub")
NETWORK = "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n"
# The box's own Vagrantfile: libvirt emulates the disk and the NIC as virtio (the initrd has their drivers).
VAGRANTFILE = '''# A promlab box (host/box.py): Debian 13 on a disk that boots by itself (syslinux).
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.disk_bus = "virtio"
    libvirt.nic_model_type = "virtio"
  end
end
'''


class BoxError(Exception):
    """The box cannot be built here; str() says why in one sentence."""


def debian_packages(lab, other_suites=True, held_only=False):
    """Every Debian package the lab's roles may install: the apt method's (with other_suites=False, only those the
    nodes' own release gives: a component taken from another suite is then left to the provisioning), and the
    servers exporters watch; with held_only, only for the roles the inventory's nodes hold."""
    found = {"gnupg"}
    held = {role for node in lab.nodes for role in node.roles}
    for name, component in lab.components.items():
        if held_only and name not in held:
            continue
        apt = component.get("apt") or {}
        if apt and "repository" not in apt and (other_suites or not apt.get("suite")):  # Grafana's is not Debian's
            found.add(apt["package"])
        server = roles.contract(name).server_package
        if server:
            found.add(server)
    if "alertmanager" in (held if held_only else lab.components):
        found.add("python3-bcrypt")  # the Alertmanager role's password hash
    if {"alertmanager", "classroom"} & set(held if held_only else lab.components):
        found.add(served.PACKAGE)  # the alert receiver's and the classroom's server library
    return sorted(found)


def versions(box, provider):
    """Versions of `box` for `provider` that Vagrant has (`vagrant box list --machine-readable`)."""
    out = subprocess.run(["vagrant", "box", "list", "--machine-readable"], capture_output=True, text=True).stdout
    fields = [line.split(",")[2:4] for line in out.splitlines() if len(line.split(",")) >= 4]
    names = [v for k, v in fields if k == "box-name"]
    providers = [v.split(" ")[0] for k, v in fields if k == "box-provider"]
    found = [v for k, v in fields if k == "box-version"]
    return [v for n, p, v in zip(names, providers, found) if n == box and p == provider]


def well_known_key():
    """Vagrant's well-known public key, from the Vagrant installed here."""
    for pattern in WELL_KNOWN_PUBLIC:
        for path in sorted(glob.glob(pattern)):
            return Path(path).read_text()
    raise BoxError("Vagrant's well-known public key is not where Debian's package or HashiCorp's installers put it "
                   "(keys/vagrant.pub): install Vagrant first")


def missing_tools():
    """What this host lacks to build a box (names of programs)."""
    tools = ("debootstrap", "mkfs.ext4", "mkfs.fat", "mcopy", "syslinux", "sfdisk", "qemu-img", "chroot")
    return [tool for tool in tools if not shutil.which(tool)] + ([] if os.path.exists(MBR) else [MBR])


def mirror():
    """The host's Debian mirror (what debootstrap and the machines use): $DEBIAN_MIRROR, else deb.debian.org."""
    return os.environ.get("DEBIAN_MIRROR") or "http://deb.debian.org/debian"


def apt_proxy():
    """The host's APT proxy settings, for the machines to reach the same mirror the same way; '' when none."""
    proc = subprocess.run(["apt-config", "dump"], capture_output=True, text=True) if shutil.which("apt-config") else None
    lines = [line for line in (proc.stdout.splitlines() if proc else []) if line.lower().startswith("acquire::http")
             and "proxy" in line.lower()]
    return "".join(f"{line}\n" for line in lines)


def _run(*command, **kw):
    proc = subprocess.run(command, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        tail = " / ".join((proc.stdout + proc.stderr).strip().splitlines()[-4:])
        raise BoxError(f"`{' '.join(command[:3])} …` failed (exit {proc.returncode}): {tail}")
    return proc


def enabled_units(root):
    """The unit links the file system enables (etc/systemd/system/*.wants/*)."""
    return {p.relative_to(root) for p in (root / "etc/systemd/system").glob("*.wants/*")}


def configure(root, key, proxy):
    """Make the tree a machine Vagrant can sign in to and provision."""
    (root / "etc/fstab").write_text("LABEL=promlab / ext4 errors=remount-ro 0 1\n")
    (root / "etc/hostname").write_text("promlab\n")
    (root / "etc/machine-id").write_text("")  # each machine makes its own at its first boot
    (root / "var/lib/dbus/machine-id").unlink(missing_ok=True)
    (root / "etc/systemd/network/99-promlab-dhcp.network").write_text(NETWORK)
    if proxy:
        (root / "etc/apt/apt.conf.d/01promlab-proxy").write_text(proxy)
    sshd = root / "etc/ssh/sshd_config.d/promlab.conf"
    sshd.write_text("UseDNS no\n")
    _run("chroot", str(root), "useradd", "--create-home", "--shell", "/bin/bash", "vagrant")
    sudoers = root / "etc/sudoers.d/vagrant"
    sudoers.write_text("vagrant ALL=(ALL) NOPASSWD: ALL\nDefaults:vagrant !requiretty\n")
    sudoers.chmod(0o440)
    ssh = root / "home/vagrant/.ssh"
    ssh.mkdir(mode=0o700, exist_ok=True)
    (ssh / "authorized_keys").write_text(key)
    (ssh / "authorized_keys").chmod(0o600)
    _run("chroot", str(root), "chown", "-R", "vagrant:vagrant", "/home/vagrant/.ssh")
    _run("systemctl", f"--root={root}", "enable", "systemd-networkd.service", "systemd-resolved.service", "ssh.service")
    # The machines' serial console only (a libvirt domain has no screen to log in on).
    _run("systemctl", f"--root={root}", "mask", "getty@tty1.service")


def add_packages(root, packages):
    """Install `packages` in the tree, their own services disabled (promlab runs its own units)."""
    before = enabled_units(root)
    resolv = root / "etc/resolv.conf"
    kept = os.readlink(resolv) if resolv.is_symlink() else None
    resolv.unlink(missing_ok=True)
    shutil.copyfile("/etc/resolv.conf", resolv)  # the chroot resolves names as the host does
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        _run("chroot", str(root), "apt-get", "update", "-q", env=env)
        _run("chroot", str(root), "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages, env=env)
        _run("chroot", str(root), "apt-get", "clean", env=env)
    finally:
        policy.unlink()
        resolv.unlink()
        if kept:
            resolv.symlink_to(kept)
    for link in sorted(enabled_units(root) - before):
        (root / link).unlink()


BOOT_MIB = 128  # the FAT partition syslinux boots from (the kernel and its initrd)
MBR = "/usr/lib/syslinux/mbr/mbr.bin"
SYSLINUX = """DEFAULT debian
TIMEOUT 0
LABEL debian
  KERNEL vmlinuz
  APPEND initrd=initrd.img root=LABEL=promlab rw console=ttyS0 console=tty0
"""


def image(root, out, size_gib=SIZE_GIB):
    """The tree as a bootable qcow2 disk, made without loop devices or mounts: a DOS partition table, a FAT partition
    with the kernel, its initrd and syslinux (installed through mtools), the ext4 root (`mkfs.ext4 -d` at its offset),
    syslinux's MBR. Any provider's BIOS boots it, as it boots any box."""
    raw = out / "box.raw"
    boot_start, sector = 2048, 512
    root_start = boot_start + BOOT_MIB * 2048
    total = size_gib << 30
    with open(raw, "wb") as f:
        f.truncate(total)
    _run("sfdisk", "--quiet", str(raw), input=f"label: dos\nstart={boot_start}, size={BOOT_MIB * 2048}, type=c, bootable\n"
         f"start={root_start}, type=83\n")
    _run("mkfs.fat", "-F", "16", "--offset", str(boot_start), "-h", str(boot_start), "-n", "BOOT", str(raw), str(BOOT_MIB * 1024))
    (out / "syslinux.cfg").write_text(SYSLINUX)
    at = f"{raw}@@{boot_start * sector}"
    _run("mcopy", "-i", at, str(root / "vmlinuz"), "::vmlinuz")  # the links the kernel package makes in /
    _run("mcopy", "-i", at, str(root / "initrd.img"), "::initrd.img")
    _run("mcopy", "-i", at, str(out / "syslinux.cfg"), "::syslinux.cfg")
    _run("syslinux", "--install", "--offset", str(boot_start * sector), str(raw))
    _run("mkfs.ext4", "-q", "-L", "promlab", "-d", str(root), "-E", f"offset={root_start * sector}", str(raw),
         f"{(total - root_start * sector) >> 10}k")
    with open(MBR, "rb") as mbr, open(raw, "r+b") as disk:
        disk.write(mbr.read(440))
    _run("qemu-img", "convert", "-O", "qcow2", str(raw), str(out / "box.img"))
    raw.unlink()
    (out / "metadata.json").write_text(json.dumps({"provider": "libvirt", "format": "qcow2", "virtual_size": size_gib}))
    (out / "Vagrantfile").write_text(VAGRANTFILE)


def _shown(path):
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def build(lab, packages=False, force=False, work=None):
    """Build the box file (.cache/boxes/<box>-libvirt.box) and add it to Vagrant; the file's path."""
    box = lab.boxes["libvirt"]
    target = CACHE / f"{box.replace('/', '-')}-libvirt.box"
    if target.is_file() and not force:
        print(f"box: {_shown(target)} is there (--force builds it again)")
    else:
        if os.geteuid() != 0:
            raise BoxError("building a box needs root (debootstrap): run `sudo make box`")
        missing = missing_tools()
        if missing:
            raise BoxError(f"building a box needs {', '.join(missing)} (Debian: sudo apt install debootstrap e2fsprogs "
                           "dosfstools mtools syslinux syslinux-common fdisk qemu-utils)")
        key = well_known_key()
        with tempfile.TemporaryDirectory(prefix="promlab-box-", dir=work) as tmp:
            root, out = Path(tmp) / "root", Path(tmp) / "box"
            out.mkdir()
            print(f"box: debootstrap {SUITE} from {mirror()} (a few minutes)", flush=True)
            _run("debootstrap", "--variant=minbase", f"--include={','.join(BASE)}", SUITE, str(root), mirror())
            configure(root, key, apt_proxy())
            if packages:
                wanted = debian_packages(lab, other_suites=False, held_only=True)
                print(f"box: the lab's packages: {' '.join(wanted)}", flush=True)
                add_packages(root, wanted)
            print("box: the disk image", flush=True)
            image(root, out)
            CACHE.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            with tarfile.open(partial, "w") as tar:
                for name in ("metadata.json", "Vagrantfile", "box.img"):
                    tar.add(out / name, arcname=name)
            partial.replace(target)
        print(f"box: saved {_shown(target)} ({target.stat().st_size / 2**20:.0f} MiB)")
    _run("vagrant", "box", "add", "--force", "--name", box, "--provider", "libvirt", str(target))
    print(f"box: added to Vagrant as {box} (libvirt)")
    return target


OWN = "promlab/"  # the boxes this builder makes: Vagrant Cloud has none of that name


def when_missing(lab, packages=None):
    """Before `vagrant up` with libvirt (make up): build lab.yaml's box when it is one of promlab's and Vagrant lacks it
    (any other box Vagrant fetches itself). Without a usable KVM the lab's packages go into it (BOX_PACKAGES=0 says
    no): on a slow host that saves minutes a node."""
    box = lab.boxes["libvirt"]
    if not box.startswith(OWN) or versions(box, "libvirt"):
        return None
    if packages is None:
        from host.vagrant import kvm_unusable

        packages = bool(kvm_unusable())
    print(f"box: Vagrant has no {box}: building it here{' with the lab’s packages' if packages else ''} "
          "(make box; a few minutes, once)", flush=True)
    return build(lab, packages=packages)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", action="store_true", help="install the lab's Debian packages in the box")
    parser.add_argument("--force", action="store_true", help="build again even if the box file is there")
    parser.add_argument("--when-missing", action="store_true", help="only when Vagrant lacks lab.yaml's promlab box")
    parser.add_argument("inventory", nargs="?")
    args = parser.parse_args(argv)
    wanted = {"1": True, "0": False}.get(os.environ.get("BOX_PACKAGES", ""), None)
    try:
        lab = inventory.load(args.inventory)
        if args.when_missing:
            when_missing(lab, wanted)
        else:
            build(lab, packages=args.packages or bool(wanted), force=args.force)
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    except BoxError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
