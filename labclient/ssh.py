"""Reaching the lab's machines from the host: Vagrant's view of them, and SSH through Vagrant's own ssh-config."""

import os
import subprocess
from pathlib import Path

from provision import inventory

# The environment variable naming a file of Vagrant's ssh-config written once for a whole run (Vagrant takes about 3 s
# to start, and simultaneous calls collide on its lock): scripts/labtest.py sets it for its pytests, labtests/conftest.py
# for the labtests a drill runs (labclient.faults.run_labtests).
SHARED_CONFIG = "LAB_SSH_CONFIG"


class NotUp(Exception):
    """Some machines do not run; str() names each with its state, `states` is Vagrant's whole view (machines())."""

    def __init__(self, message, states=None):
        super().__init__(message)
        self.states = states or {}


def machines():
    """{node: (state, provider)} as Vagrant sees them, the state in words ("not created", Vagrant's not_created)."""
    import vagrant

    v = vagrant.Vagrant(str(inventory.REPO), quiet_stdout=True, quiet_stderr=True)
    return {s.name: (s.state.replace("_", " "), s.provider) for s in v.status()}


def recorded_providers():
    """{node: provider} from Vagrant's own records of the machines it made (.vagrant/machines/<node>/<provider>/id,
    or under $VAGRANT_DOTFILE_PATH), without starting Vagrant."""
    dotfile = Path(os.environ.get("VAGRANT_DOTFILE_PATH") or inventory.REPO / ".vagrant")
    if not dotfile.is_absolute():
        dotfile = inventory.REPO / dotfile
    return {record.parent.parent.name: record.parent.name for record in dotfile.glob("machines/*/*/id")}


def write_config(path, names):
    """Write `vagrant ssh-config` for the machines `names` to `path`; NotUp when one of them does not run."""
    proc = subprocess.run(["vagrant", "ssh-config", *names], cwd=inventory.REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        states = machines()
        down = [f"{n}: {states.get(n, ('not created',))[0]}" for n in names if states.get(n, ("",))[0] != "running"]
        raise NotUp(", ".join(down) or f"vagrant ssh-config failed: {proc.stderr.strip()[:200]}", states)
    with open(path, "w") as f:
        f.write(proc.stdout)
    return path


def host(name, config, sudo=False):
    """A testinfra host for the machine `name`, reached over SSH with the ssh-config file `config`."""
    import testinfra

    return testinfra.get_host(f"paramiko://{name}", ssh_config=config, sudo=sudo)
