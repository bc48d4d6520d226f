"""`make doctor`: can this computer run the lab? A student runs it days before the workshop.

    python3 -m scripts.doctor [--lang fr|en]

Checks Python, Vagrant, the provider (installed and working; VirtualBox's version, and the host-only range it allows
for lab.network), CPU virtualisation, free memory against what lab.yaml asks, the host ports lab.yaml forwards, and
disk space. Each failure says what to do.
Standard library only: it runs before `make venv`. Exit 0 when all is well, 1 otherwise.
"""

import os
import platform
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from labclient.language import language
from provision.french import french

REPO = Path(__file__).resolve().parent.parent
CONTAINER_MIB = 150  # measured: a 6-node docker lab uses about 0.75 GiB (docs/performance.md)


def _run(*cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return proc.returncode, (proc.stdout + proc.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return 127, str(e)


def _version(text):
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(x or 0) for x in found.groups()) if found else (0, 0, 0)


def _provider():
    return os.environ.get("VAGRANT_DEFAULT_PROVIDER") or "virtualbox"


def check_python():
    ok = sys.version_info >= (3, 9)
    try:
        import ensurepip  # noqa: F401 - python3-venv on Debian and Ubuntu
        import venv  # noqa: F401
    except ImportError:
        return False, ("Python n'a pas venv : sudo apt install python3-venv", "Python lacks venv: sudo apt install python3-venv")
    version = platform.python_version()
    return ok, (f"Python {version}" + ("" if ok else " : il faut 3.9 ou plus récent"),
                f"Python {version}" + ("" if ok else ": 3.9 or newer is needed"))


def check_vagrant():
    code, out = _run("vagrant", "--version")
    if code != 0:
        return False, ("Vagrant n'est pas installé : https://developer.hashicorp.com/vagrant/install",
                       "Vagrant is not installed: https://developer.hashicorp.com/vagrant/install")
    version = _version(out)
    if version < (2, 3, 0):
        return False, (f"{out} : trop ancien, installez Vagrant 2.3 ou plus récent", f"{out}: too old, install Vagrant 2.3 or newer")
    return True, (out, out)


def check_provider():
    provider = _provider()
    if provider == "docker":
        code, out = _run("docker", "info", "--format", "{{.ServerVersion}}")
        if code != 0:
            why = "permission denied" in out
            return False, (("Docker refuse l'accès : ajoutez-vous au groupe docker (sudo usermod -aG docker $USER), puis reconnectez-vous"
                            if why else "Docker ne répond pas : démarrez Docker (Docker Desktop, ou sudo systemctl start docker)"),
                           ("Docker refuses access: add yourself to the docker group (sudo usermod -aG docker $USER), then log in again"
                            if why else "Docker does not answer: start it (Docker Desktop, or sudo systemctl start docker)"))
        return True, (f"fournisseur docker : Docker {out} répond", f"provider docker: Docker {out} answers")
    if provider == "libvirt":
        code, out = _run("vagrant", "plugin", "list")
        if "vagrant-libvirt" not in out:
            return False, ("le greffon vagrant-libvirt manque : vagrant plugin install vagrant-libvirt",
                           "the vagrant-libvirt plugin is missing: vagrant plugin install vagrant-libvirt")
        if not shutil.which("rsync"):
            return False, ("rsync manque (il copie le dépôt dans les machines libvirt) : sudo apt install rsync",
                           "rsync is missing (it copies the repository into libvirt's machines): sudo apt install rsync")
        code, out = _run("virsh", "-c", "qemu:///system", "version")
        return code == 0, (("fournisseur libvirt : libvirt répond", "provider libvirt: libvirt answers") if code == 0 else
                           ("libvirt ne répond pas : sudo systemctl start libvirtd, et ajoutez-vous au groupe libvirt",
                            "libvirt does not answer: sudo systemctl start libvirtd, and add yourself to the libvirt group"))
    code, out = _run("VBoxManage", "--version")
    if code != 0:
        return False, ("VirtualBox n'est pas installé (ou choisissez VAGRANT_DEFAULT_PROVIDER=docker) : https://www.virtualbox.org",
                       "VirtualBox is not installed (or choose VAGRANT_DEFAULT_PROVIDER=docker): https://www.virtualbox.org")
    if _version(out) < (6, 1, 0):
        return False, (f"VirtualBox {out} : trop ancien, installez la 7", f"VirtualBox {out}: too old, install version 7")
    if platform.system() == "Darwin" and platform.machine() == "arm64" and _version(out) < (7, 1, 0):
        return False, (f"VirtualBox {out} : sur un Mac Apple Silicon, il faut la 7.1 ou plus récente (machines arm64)",
                       f"VirtualBox {out}: an Apple Silicon Mac needs 7.1 or newer (arm64 machines)")
    return True, (f"fournisseur virtualbox : VirtualBox {out}", f"provider virtualbox: VirtualBox {out}")


VBOX_DEFAULT_RANGE = "192.168.56.0/21"  # what VirtualBox 6.1.28+ allows for host-only networks without networks.conf
VBOX_NETWORKS = Path("/etc/vbox/networks.conf")


def allowed_host_only(conf=VBOX_NETWORKS):
    """The ranges VirtualBox allows for host-only networks here: /etc/vbox/networks.conf's `* RANGE ...` lines, else
    its default (Linux and macOS; Windows has no such limit: None)."""
    if platform.system() == "Windows":
        return None
    try:
        lines = conf.read_text().splitlines()
    except OSError:
        return [VBOX_DEFAULT_RANGE]
    return [word for line in lines if line.strip().startswith("*") for word in line.split()[1:]]


def check_host_only(lab, conf=VBOX_NETWORKS):
    """VirtualBox: is lab.network a host-only network VirtualBox will create?"""
    import ipaddress

    if _provider() != "virtualbox":
        return None
    allowed = allowed_host_only(conf)
    network = ipaddress.IPv4Network(lab.network)
    if allowed is None:
        return True, (f"réseau du lab {network} : VirtualBox l'accepte", f"lab network {network}: VirtualBox takes it")
    ranges = []
    for text in allowed:
        try:
            ranges.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            continue
    if any(r.version == 4 and network.subnet_of(r) for r in ranges):
        return True, (f"réseau du lab {network} : dans ce que VirtualBox accepte ({', '.join(allowed)})",
                      f"lab network {network}: within what VirtualBox allows ({', '.join(allowed)})")
    return False, (f"réseau du lab {network} : VirtualBox ne le crée pas (il n'accepte que {', '.join(allowed) or 'rien'}) : "
                   f"prenez un réseau dans 192.168.56.0/21 (lab.network), ou ajoutez « * {network} » à {conf}",
                   f"lab network {network}: VirtualBox will not create it (it allows only {', '.join(allowed) or 'nothing'}): "
                   f"pick a network in 192.168.56.0/21 (lab.network), or add \"* {network}\" to {conf}")


def check_virtualisation():
    if _provider() == "docker":
        return True, ("conteneurs : pas besoin de virtualisation matérielle", "containers: no hardware virtualisation needed")
    system = platform.system()
    if system == "Linux":
        flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
        ok = bool(re.search(r"\b(vmx|svm)\b", flags)) or platform.machine() in ("aarch64", "arm64")
    elif system == "Darwin":
        ok = _run("sysctl", "-n", "kern.hv_support")[1].strip() == "1"
    else:
        return True, ("Windows : vérifiez que la virtualisation est activée dans le BIOS (Gestionnaire des tâches → Performance)",
                      "Windows: make sure virtualisation is on in the firmware (Task Manager → Performance)")
    if not ok and _provider() == "libvirt":  # QEMU emulates the machines: it works, slowly
        return True, ("le processeur n'offre pas la virtualisation : libvirt prendra l'émulation de QEMU, plusieurs fois "
                      "plus lente (BOX_PACKAGES=1 make box met les paquets du lab dans la box)",
                      "the CPU offers no virtualisation: libvirt will use QEMU's emulation, several times slower "
                      "(BOX_PACKAGES=1 make box puts the lab's packages in the box)")
    return ok, (("le processeur offre la virtualisation", "the CPU offers virtualisation") if ok else
                ("le processeur n'offre pas la virtualisation : activez VT-x/AMD-V dans le BIOS, ou prenez le fournisseur docker",
                 "the CPU offers no virtualisation: turn VT-x/AMD-V on in the firmware, or use the docker provider"))


def _lab():
    from provision import inventory

    return inventory.load()


def _available_mib():
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemAvailable:\s+(\d+) kB", meminfo.read_text())
        return int(found.group(1)) // 1024 if found else None
    if platform.system() == "Darwin":
        pages = _run("vm_stat")[1]
        size = int(re.search(r"page size of (\d+)", pages).group(1)) if "page size" in pages else 4096
        free = sum(int(n) for n in re.findall(r"Pages (?:free|inactive|speculative):\s+(\d+)", pages))
        return free * size // 2**20
    return None


def gib(mib):
    """(French, English) of an amount of MiB in GiB: 0,8\u00a0Gio and 0.8 GiB."""
    return f"{mib / 1024:.1f}".replace(".", ",") + "\u00a0Gio", f"{mib / 1024:.1f} GiB"


def check_memory(lab):
    need = (len(lab.nodes) * CONTAINER_MIB if _provider() == "docker" else sum(n.memory for n in lab.nodes)) + 1024
    have = _available_mib()
    if have is None:
        return True, (f"mémoire : le lab demande environ {gib(need)[0]}, elle ne peut pas être mesurée ici",
                      f"memory: the lab needs about {gib(need)[1]}; it cannot be measured here")
    ok = have >= need
    text = (f"mémoire : {gib(have)[0]} libres, le lab en demande {gib(need)[0]} (dont 1\u00a0Gio pour vous)",
            f"memory: {gib(have)[1]} free, the lab needs {gib(need)[1]} (1 GiB of it for you)")
    if not ok:
        text = (text[0] + " : fermez des programmes, ou réduisez memory: dans lab.yaml",
                text[1] + ": close programs, or lower memory: in lab.yaml")
    return ok, text


def _created(node):
    """True when Vagrant created this node from this checkout (its machine id is recorded)."""
    return any((REPO / ".vagrant" / "machines" / node).glob("*/id"))


def check_ports(lab):
    forwarded = sorted((fp["host"], n.name) for n in lab.nodes for fp in n.forwarded_ports)
    busy, ours = [], []
    for port, node in forwarded:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                (ours if _created(node) else busy).append(str(port))
    if busy:
        ports = ", ".join(busy)
        return False, (f"port(s) {ports} déjà pris par un autre programme (un autre Prometheus ou Grafana ?) : arrêtez-le, "
                       "ou changez le port host de forwarded_ports dans lab.yaml",
                       f"port(s) {ports} already taken by another program (another Prometheus or Grafana?): stop it, or "
                       "change the host port in lab.yaml's forwarded_ports")
    free = ", ".join(str(port) for port, _ in forwarded)
    note = (f" ({', '.join(ours)} : ce lab, déjà démarré)", f" ({', '.join(ours)}: this lab, already up)") if ours else ("", "")
    return True, (f"ports sur 127.0.0.1 : {free}{note[0]}", f"ports on 127.0.0.1: {free}{note[1]}")


def check_promtool():
    """promtool (Prometheus' own checker): `make check` runs it on the host; the lab itself and the exercises do not
    need it there. Missing, it is said, not counted as a problem (None)."""
    code, out = _run("promtool", "--version")
    if code != 0:
        return None, ("promtool absent : seul `make check` s'en sert sur cet ordinateur (Debian, Ubuntu : sudo apt "
                      "install prometheus ; macOS : brew install prometheus)",
                      "promtool is missing: only `make check` needs it on this computer (Debian, Ubuntu: sudo apt "
                      "install prometheus; macOS: brew install prometheus)")
    version = ".".join(map(str, _version(out)))
    return True, (f"promtool {version} (pour make check)", f"promtool {version} (for make check)")


def check_disk():
    need = 3 if _provider() == "docker" else 10
    free = shutil.disk_usage(REPO).free / 2**30
    ok = free >= need
    return ok, ((f"disque : {free:.0f}\u00a0Gio libres" + ("" if ok else f", il en faut {need} : faites de la place")),
                (f"disk: {free:.0f} GiB free" + ("" if ok else f", {need} are needed: make room")))


def main(argv):
    lang = language(argv)
    pick = (lambda t: french(t[0])) if lang == "fr" else (lambda t: t[1])
    results = [check_python(), check_vagrant(), check_provider(), check_virtualisation(), check_disk(), check_promtool()]
    try:
        lab = _lab()
        results += [r for r in (check_memory(lab), check_ports(lab), check_host_only(lab)) if r]
    except ImportError:
        results.append((False, ("lab.yaml ne peut pas encore être lu (PyYAML manque) : make venv, puis make doctor",
                                "lab.yaml cannot be read yet (no PyYAML): make venv, then make doctor")))
    except Exception as e:  # noqa: BLE001 - an invalid lab.yaml is a finding, not a crash
        results.append((False, (f"lab.yaml : {str(e).splitlines()[-1].strip()}", f"lab.yaml: {str(e).splitlines()[-1].strip()}")))
    for ok, text in results:  # ok None: optional and missing, said without counting it
        print(f"  {'–' if ok is None else '✔' if ok else '✘'} {pick(text)}")
    bad = sum(ok is False for ok, _ in results)
    print(pick(("Tout est prêt pour l'atelier.", "All set for the workshop.")) if not bad else
          pick((f"{bad} chose(s) à régler avant l'atelier (voir ✘ ci-dessus).",
                f"{bad} thing(s) to fix before the workshop (see ✘ above).")))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
