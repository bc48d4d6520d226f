"""lxcfs for a docker-provider lab: each container sees its own memory, CPUs and load.

A container's /proc is the host's: without help, every node's node_exporter reports the host's 24 GiB
and its load. lxcfs (a FUSE file system) serves per-container copies of /proc/meminfo, stat, loadavg...;
bind-mounted over the container's own, node_exporter reads the node's figures. With --enable-loadavg
the load average is the container's own, with --enable-cfs the CPU count follows the CPU quota.

    python3 -m host.lxcfs      (make up, docker provider) start it when installed and not running;
                                    otherwise say once what that means for the metrics

The Vagrantfile asks `volumes()` (through `host.vagrant --json`) for each container's mounts.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from provision import waiting
from provision.catalogue import OWN_PROC

DIR = "/var/lib/lxcfs"
FILES = OWN_PROC
OPTIONS = ("--enable-loadavg", "--enable-cfs")
LOG = "/tmp/promlab-lxcfs.log"
MEANS = ("each node's node_exporter reports the host's memory, CPU and load, not the node's own "
         "(the memory and CPU caps of lab.yaml still apply)")


def mounted(mounts="/proc/mounts", where=DIR):
    """True when the mount table lists lxcfs at `where` (alive or not)."""
    try:
        lines = Path(mounts).read_text().splitlines()
    except OSError:
        return False
    return any(len(f) > 2 and f[1] == where and f[2] == "fuse.lxcfs" for f in (line.split() for line in lines))


def serving(mounts="/proc/mounts", where=DIR):
    """True when lxcfs is mounted at `where` and answers. A mount whose lxcfs has died (a host restored from
    a snapshot, a killed process) stays in the table but fails every access (ENOTCONN): docker then refuses
    to create any container that mounts its files."""
    if not mounted(mounts, where):
        return False
    try:
        os.stat(f"{where}/proc/meminfo")
    except OSError:
        return False
    return True


def volumes(mounts="/proc/mounts", where=DIR):
    """The docker --volume options that put lxcfs's files over a container's /proc; [] when lxcfs does not serve."""
    return [f"--volume={where}/proc/{name}:/proc/{name}:rw" for name in FILES] if serving(mounts, where) else []


def cpusets(nodes, cores=None):
    """{node: the host CPUs its container is pinned to ("0", "1,2")}, one node after another round the host's CPUs.
    lxcfs counts a container's CPUs from its CPU quota, but only on the path where it reads the container's CPU
    accounting; where it cannot (it then falls back to the host's /proc/stat), it shows every CPU of the container's
    cpuset: a node of one CPU once reported two. Pinned to as many CPUs as lab.yaml gives it, a node reports its own
    count on either path. A node given as many CPUs as the host has, or more, is not pinned."""
    cores = sorted(os.sched_getaffinity(0)) if cores is None else list(cores)
    found, at = {}, 0
    for node in nodes:
        if node.cpus >= len(cores):
            continue
        found[node.name] = ",".join(str(cores[(at + k) % len(cores)]) for k in range(node.cpus))
        at = (at + node.cpus) % len(cores)
    return found


def create_args(nodes, mounts="/proc/mounts", where=DIR):
    """{node: docker options of its own}: its cpuset where lxcfs serves (Linux: the host's CPUs are docker's)."""
    return {name: [f"--cpuset-cpus={cpus}"] for name, cpus in cpusets(nodes).items()} if serving(mounts, where) else {}


def why_not():
    """Why lxcfs cannot be started here, or None when it can."""
    if sys.platform != "linux":
        return "this host is not Linux (Docker Desktop's containers run in a virtual machine lxcfs cannot reach)"
    if not os.path.exists("/dev/fuse"):
        return "this host has no /dev/fuse"
    if not shutil.which("lxcfs"):
        return "lxcfs is not installed (Debian, Ubuntu: sudo apt install lxcfs)"
    if os.geteuid() != 0:
        return "lxcfs is installed but not serving (sudo systemctl restart lxcfs)"
    return None


def ensure(wait=10):
    """Start lxcfs when it can be and is not running; None when it serves, else why not."""
    if serving():
        return None
    reason = why_not()
    if reason:
        return reason
    if mounted() and subprocess.run(["umount", "--lazy", DIR], capture_output=True).returncode != 0:
        return f"a dead lxcfs is still mounted at {DIR} and could not be unmounted (sudo umount --lazy {DIR})"
    Path(DIR).mkdir(parents=True, exist_ok=True)
    with open(LOG, "ab") as log:
        subprocess.Popen([shutil.which("lxcfs"), *OPTIONS, DIR], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
    return None if waiting.became(serving, wait, interval=0.2) else f"lxcfs did not start (its log: {LOG})"


def main():
    reason = ensure()
    if reason:
        print(f"promlab: lxcfs is not serving this lab: {reason}; {MEANS}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
