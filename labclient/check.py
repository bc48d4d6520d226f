"""What provisioning would change on each node, without changing it (`make provision CHECK=1`).

    python3 -m labclient.check [NODE ...]

Runs the provisioning in check mode inside each node (all of lab.yaml's by default): every step says
`ok` or `differs` with what a run would do (a file: a short diff; never a secret's content). Exit 3 when
something differs, 0 when every node is as provisioning leaves it.
"""

import shlex
import subprocess
import sys

from host import vagrant
from labclient import ssh
from labclient.lab import loaded
from provision import credentials, inventory


def provision_command(node, check=False):
    """The command that provisions `node` inside it as `vagrant provision` does, with the environment the
    provisioning sees (run as root); with check=True in check mode."""
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in vagrant.guest_env().items())
    return f"env {env} sh /vagrant/provision/bootstrap.sh {shlex.quote(node)}" + (" --check" if check else "")


def provision(node, check=False):
    """Provision `node` from the host as `vagrant provision` does, over the one way into a node: the lab's secrets made
    first (the guests only read them), the repository copied again where the machine's synced folder is a one-way copy
    (libvirt's rsync); the CompletedProcess (in check mode, exit 3 when something differs)."""
    credentials.make_all()
    if ssh.recorded_providers().get(node) in vagrant.ONE_WAY:
        copied = ssh.copy_repository(node, vagrant.COPY_EXCLUDE)
        if copied.returncode != 0:
            return subprocess.CompletedProcess(copied.args, 1, copied.stdout,
                                               f"{node}: copying the repository failed: {copied.stderr.strip()[-300:]}")
    return ssh.run(node, provision_command(node, check))


def main(argv):
    try:
        names = argv or [n.name for n in loaded().nodes]
        for name in names:
            loaded().node(name)
    except (inventory.InventoryError, KeyError) as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    worst = 0
    for name in names:
        proc = provision(name, check=True)
        shown = [line for line in proc.stdout.splitlines() if not line.startswith("ok ")]
        print("\n".join(shown) or f"{name}: no answer ({proc.stderr.strip()[:200]})", flush=True)
        worst = max(worst, proc.returncode if proc.returncode in (0, 3) else 1)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
