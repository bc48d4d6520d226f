"""Reaching the lab's machines from the host: Vagrant's view of them, and SSH through Vagrant's own ssh-config."""

import hashlib
import os
import shlex
import subprocess
from pathlib import Path

from provision import inventory
from provision.paths import GUEST_REPO

# The environment variable naming a file of Vagrant's ssh-config written once for a whole run (Vagrant takes about 3 s
# to start, and simultaneous calls collide on its lock): scripts/labtest.py sets it for its pytests, labtests/conftest.py
# for the labtests a drill runs (labclient.faults.run_labtests).
SHARED_CONFIG = "LAB_SSH_CONFIG"
CACHE = inventory.REPO / ".promlab" / "ssh"  # the lab's cached ssh-config; another environment's in a folder of its own


class NotUp(Exception):
    """Some machines do not run; str() names each with its state, `states` is Vagrant's whole view (machines())."""

    def __init__(self, message, states=None):
        super().__init__(message)
        self.states = states or {}


def machines(env=None):
    """{node: (state, provider)} as Vagrant sees them in the environment `env` (os.environ by default), the state in
    words ("not created", Vagrant's not_created)."""
    import vagrant

    v = vagrant.Vagrant(str(inventory.REPO), quiet_stdout=True, quiet_stderr=True, env=env)
    return {s.name: (s.state.replace("_", " "), s.provider) for s in v.status()}


def dotfile(env=None):
    """Where Vagrant keeps its records of the machines it made for the environment `env` (os.environ by default):
    $VAGRANT_DOTFILE_PATH, else .vagrant."""
    env = os.environ if env is None else env
    found = Path(env.get("VAGRANT_DOTFILE_PATH") or inventory.REPO / ".vagrant")
    return found if found.is_absolute() else inventory.REPO / found


def recorded_providers():
    """{node: provider} from Vagrant's own records of the machines it made (.vagrant/machines/<node>/<provider>/id,
    or under $VAGRANT_DOTFILE_PATH), without starting Vagrant."""
    return {record.parent.parent.name: record.parent.name for record in dotfile().glob("machines/*/*/id")}


def write_config(path, names, env=None):
    """Write `vagrant ssh-config` for the machines `names` of the Vagrant environment `env` (os.environ by default) to
    `path`; NotUp when one of them does not run."""
    proc = subprocess.run(["vagrant", "ssh-config", *names], cwd=inventory.REPO, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        states = machines(env)
        down = [f"{n}: {states.get(n, ('not created',))[0]}" for n in names if states.get(n, ("",))[0] != "running"]
        raise NotUp(", ".join(down) or f"vagrant ssh-config failed: {proc.stderr.strip()[:200]}", states)
    with open(path, "w") as f:
        f.write(proc.stdout)
    return path


def host(name, config, sudo=False):
    """A testinfra host for the machine `name`, reached over SSH with the ssh-config file `config`."""
    import testinfra

    return testinfra.get_host(f"paramiko://{name}", ssh_config=config, sudo=sudo)


def _records_digest(records):
    """What identifies the machines Vagrant made (their ids and when they were recorded): a cached ssh-config is good
    while this stays the same."""
    ids = sorted(records.glob("machines/*/*/id"))
    return hashlib.sha256("".join(f"{r}:{r.read_text()}:{r.stat().st_mtime_ns}" for r in ids).encode()).hexdigest()


def _cached_config(fresh=False, env=None):
    """An ssh-config of every running machine of the Vagrant environment `env` (the lab's: os.environ, by default): the
    run's shared one ($LAB_SSH_CONFIG, the lab's only), else one kept under .promlab/ while Vagrant's records stay the
    same (asking Vagrant costs about 3 s). Another environment (the classroom's) keeps its own, named by its records."""
    if env is None and os.environ.get(SHARED_CONFIG) and not fresh:
        return os.environ[SHARED_CONFIG]
    records = dotfile(env)
    folder = CACHE
    if env is not None and records != dotfile():
        folder = folder / hashlib.sha256(str(records).encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    path, stamp = folder / "ssh_config", folder / "ssh_config.records"
    digest = _records_digest(records)
    if not fresh and path.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return str(path)
    lab_file = (env or os.environ).get("LAB_FILE")
    names = [n.name for n in inventory.load(inventory.REPO / lab_file if lab_file else None).nodes]
    try:
        write_config(path, names, env)
    except NotUp as e:  # some machines do not run: the config of those that do
        running = [name for name, (state, _) in e.states.items() if state == "running"]
        if not running:
            raise
        write_config(path, running, env)
    stamp.write_text(digest)
    return str(path)


def copy_repository(node, exclude, timeout=600):
    """Copy the repository to `node`'s /vagrant as Vagrant's rsync synced folder does (a one-way copy: libvirt), over
    the one way into a node; the CompletedProcess."""
    config = _cached_config()
    command = ["rsync", "--archive", "--delete", "--copy-links", "--chown=vagrant:vagrant",
               *(f"--exclude={pattern}" for pattern in exclude),
               "-e", f"ssh -F {shlex.quote(config)} -o BatchMode=yes", "--rsync-path", "sudo rsync",
               f"{inventory.REPO}/", f"{node}:{GUEST_REPO}/"]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def run(node, command, timeout=300, input=None, env=None):
    """Run a shell command on a node as root, over SSH with Vagrant's ssh-config (the one way into a node); the
    CompletedProcess. `env`: the Vagrant environment the node belongs to (host.classroom_machine.environment() for the
    classroom's; the lab's by default). A connection that fails (exit 255) is tried once more with a fresh ssh-config."""
    for fresh in (False, True):
        try:
            config = _cached_config(fresh, env)
        except NotUp as e:
            return subprocess.CompletedProcess([node, command], 255, "", str(e))
        proc = subprocess.run(["ssh", "-F", config, "-o", "BatchMode=yes", node, "sudo sh -c " + shlex.quote(command)],
                              capture_output=True, text=True, timeout=timeout, input=input)
        if proc.returncode != 255:
            return proc
    return proc
