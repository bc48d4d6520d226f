"""What the host does with lab.yaml before and while Vagrant makes the machines: the checked inventory as JSON for the
Vagrantfile (with the guests' environment, the docker provider's container options, mounts and sign-in key), the
secrets synced for the guests, and the validation `make check` runs.

    python3 -m host.vagrant [--json [--secrets] | --merged] [lab.yaml]

--secrets (Vagrant's up, provision, reload): the secrets the guests read (LAB_GRAFANA_PASSWORD's file, and the
lab's shared secrets: provision/credentials.py), and the docker machines' sign-in key (host/signin.py), made first.
--merged (`make check MERGED=1`): the inventory as the lab reads it, once it is valid: an overlay (examples/*.yaml) with
what it extends merged under it.
"""

import ipaddress
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import yaml

from host import container, lxcfs, signin
from provision import credentials, inventory, schema
from provision.inventory import InventoryError, _Checker
from provision.paths import GRAFANA_PASSWORD, GUEST_REPO, REPO

# What the provisioning inside the guests reads from the host's environment (LAB_FILE too, see guest_env).
# Secrets are not among them: they reach the guests in a file only root reads (sync_secrets).
PROVISION_ENV = ("LAB_INSTALL_METHOD", "LAB_SKIP_ROLES", "LAB_CACHE", "LAB_APT_PROXY", "LAB_APT_SNAPSHOT")
VIRTUALBOX_RANGE = ipaddress.IPv4Network("192.168.56.0/21")
# What a one-way copy of the repository (libvirt's rsync synced folder, labclient.copy) leaves out: Vagrant's and the
# host's own folders, and what is large and of no use in a guest (boxes, images, the docker machines' sign-in key).
COPY_EXCLUDE = (".vagrant/", ".venv/", ".git/", ".cache/boxes/", ".cache/images/", ".cache/prometheus-ui/", ".promlab/ssh/",
                ".promlab/classroom/", "build/rendered/", ".pytest_cache/", ".ruff_cache/", ".hypothesis/")
# Providers whose synced folder is a one-way copy made by the host (rsync): the host copies the repository again
# before it provisions one of their machines.
ONE_WAY = ("libvirt",)


def to_json(lab, env=None):
    """The checked inventory for the Vagrantfile, with the environment the guests must see, the options that run
    systemd in a docker container, the mounts that let a container see its own /proc (none where lxcfs does not serve)
    and this checkout's key its sshd trusts, how Vagrant signs in to a container, and the notes worth saying before
    machines are made."""
    found = asdict(lab)
    for node in found["nodes"]:
        for fp in node["forwarded_ports"]:
            fp["host_ip"] = host_ip(lab, node["roles"], fp["guest"])
    return json.dumps(dict(found, provision_env=guest_env(env), docker_args=container.SYSTEMD,
                           docker_volumes=lxcfs.volumes() + [signin.volume()], docker_key=str(signin.KEY),
                           docker_node_args=lxcfs.create_args(lab.nodes),
                           libvirt=libvirt(lab), copy_exclude=list(COPY_EXCLUDE), notes=notes(lab, env)), indent=2)


def kvm_unusable(cpuinfo="/proc/cpuinfo", device="/dev/kvm"):
    """Why KVM cannot run the lab's machines here, or None when it can: the processor must offer hardware
    virtualisation (vmx or svm; a /dev/kvm without them, as some cloud machines have, cannot run Debian's kernel) and
    /dev/kvm must open for reading and writing."""
    try:
        flags = {word for line in open(cpuinfo, encoding="ascii", errors="replace") if line.startswith("flags")
                 for word in line.split(":", 1)[1].split()}
    except OSError:
        flags = set()
    if not flags & {"vmx", "svm"}:
        return "the processor has no vmx or svm flag (hardware virtualisation)"
    if not os.path.exists(device):
        return f"there is no {device}"
    if not os.access(device, os.R_OK | os.W_OK):
        return f"{device} does not open for this user, who is not in its group"
    return None


def libvirt(lab, unusable=kvm_unusable):
    """lab.yaml's libvirt settings as the Vagrantfile applies them: the driver (auto decided here) and the CPU model
    (QEMU's emulation only; None under KVM, where libvirt takes the host's model)."""
    settings = lab.libvirt or {"driver": "auto", "cpu_model": "qemu64"}
    driver = settings["driver"]
    if driver == "auto":
        driver = "qemu" if unusable() else "kvm"
    return {"driver": driver, "cpu_model": settings["cpu_model"] if driver == "qemu" else None}


def host_ip(lab, roles, guest_port):
    """The host address a forwarded port binds: 127.0.0.1, but for the classroom's reports port, which students' labs
    reach at the teacher's address (components.classroom.host_address; its reports are authenticated)."""
    classroom = lab.components["classroom"]
    return classroom["host_address"] if "classroom" in roles and guest_port == classroom["reports_port"] else "127.0.0.1"


def guest_env(env=None):
    """The environment the provisioning inside the guests must see: LAB_* settings (checked: Vagrant writes
    them into a shell script), and LAB_FILE as the guests see it (the repository is synced to /vagrant, so
    the file must lie inside it)."""
    env = os.environ if env is None else env
    c = _Checker()
    found = {k: env[k] for k in PROVISION_ENV if env.get(k)}
    for name, value in found.items():
        schema.ENVIRONMENT[name].type.check(c, f"{name} (environment)", value)
    if env.get("LAB_FILE"):
        path = Path(env["LAB_FILE"]).resolve()
        if not path.is_relative_to(REPO):
            c.bad("LAB_FILE (environment)", str(path), "is outside the repository",
                  f"a file under {REPO} (the guests see it at {GUEST_REPO})")
        else:
            found["LAB_FILE"] = f"{GUEST_REPO}/{path.relative_to(REPO).as_posix()}"
            schema.ENVIRONMENT["LAB_FILE"].type.check(c, "LAB_FILE (environment)", found["LAB_FILE"])
    if c.problems:
        raise InventoryError("the environment", c.problems)
    return found


def sync_secrets(env=None, path=GRAFANA_PASSWORD):
    """Before the guests are provisioned: LAB_GRAFANA_PASSWORD into a file only its owner reads (the guests'
    root reads it through the synced folder), or no file when it is not set. Never the environment or a
    command line: Vagrant pastes its `env:` into a shell script, where $(...) would run as root."""
    env = os.environ if env is None else env
    password = env.get("LAB_GRAFANA_PASSWORD")
    if not password:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    if path.is_file() and path.read_text(encoding="utf-8") == password:
        return
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password)


KEPT_MIB = 1024  # what the host keeps for itself beside the machines
VIRTUAL_MACHINES = ("virtualbox", "libvirt")  # providers that give each machine its memory: nodes[].memory is reserved


def total_mib():
    """This computer's memory in MiB, or None where it cannot be read (Linux: /proc/meminfo; macOS: sysctl)."""
    try:
        with open("/proc/meminfo") as meminfo:
            return next(int(line.split()[1]) // 1024 for line in meminfo if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        pass
    try:
        return int(subprocess.run(["sysctl", "-n", "hw.memsize"], capture_output=True, text=True, timeout=5).stdout) >> 20
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def memory_problem(lab, env=None, total=total_mib):
    """One sentence when the machines of lab.yaml together ask more memory than this computer has (VirtualBox and
    libvirt give each its nodes[].memory; Docker's containers share the host's): before anything boots."""
    env = os.environ if env is None else env
    if env.get("VAGRANT_DEFAULT_PROVIDER", "virtualbox") not in VIRTUAL_MACHINES:
        return None
    have, need = total(), sum(n.memory for n in lab.nodes)
    if have is None or need + KEPT_MIB <= have:
        return None
    return (f"nodes[].memory: the {len(lab.nodes)} machines ask {need} MiB together, this computer has {have} MiB and "
            f"keeps {KEPT_MIB} for itself; allowed: fewer nodes or less memory per node (make doctor says what is free)")


def notes(lab, env=None, unusable=kvm_unusable):
    """What is allowed but worth saying once: a network VirtualBox will not take; libvirt's machines under QEMU's
    software emulation (said when libvirt is the provider)."""
    env = os.environ if env is None else env
    found = []
    network = ipaddress.IPv4Network(lab.network)
    if not network.subnet_of(VIRTUALBOX_RANGE):
        found.append(f"lab.network {network} is outside {VIRTUALBOX_RANGE}, the only range VirtualBox allows for "
                     "host-only networks by default (docker and libvirt take it; VirtualBox needs /etc/vbox/networks.conf)")
    why = unusable() if env.get("VAGRANT_DEFAULT_PROVIDER") == "libvirt" else None
    if why and (lab.libvirt or {}).get("driver", "auto") == "auto":
        found.append(f"libvirt runs the machines under QEMU's software emulation (libvirt.driver qemu, CPU "
                     f"{libvirt(lab, lambda: why)['cpu_model']}), several times slower than KVM: no usable KVM here, {why}")
    return found


def main(argv):
    as_json = "--json" in argv
    paths = [a for a in argv if not a.startswith("--")]
    try:
        lab = inventory.load(paths[0] if paths else None)
        problem = memory_problem(lab)
        if problem:
            raise InventoryError(inventory.default_path() if not paths else paths[0], [problem])
        if "--merged" in argv:
            print(f"# {paths[0] if paths else inventory.default_path()}, merged with what it extends (valid)")
            print(yaml.safe_dump(inventory.data(paths[0] if paths else inventory.default_path()), sort_keys=False,
                                 allow_unicode=True, width=120), end="")
            return 0
        if as_json:
            if "--secrets" in argv:
                sync_secrets()
                credentials.make_all()
                signin.ensure()
            print(to_json(lab))
            return 0
    except InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the secrets or the sign-in key cannot be written (signin.NoCryptography says why)
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    print(f"{inventory.default_path() if not paths else paths[0]}: ok, {len(lab.nodes)} nodes, "
          f"install method {lab.install_method}, scrape interval {lab.scrape_interval}")
    for note in notes(lab):
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
