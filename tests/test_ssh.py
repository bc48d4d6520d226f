"""The one way into a node (labclient/ssh.py) reaches the lab's machines and the classroom's, each through the
ssh-config of its own Vagrant environment."""

import subprocess

from labclient import ssh
from provision import inventory

CLASSROOM = inventory.REPO / "examples" / "classroom.yaml"


def _asked(monkeypatch, tmp_path):
    """Where each write_config call went: [(path, names, env)]; ssh itself answers 0."""
    asked = []
    monkeypatch.setattr(ssh, "CACHE", tmp_path / "ssh")  # the cache under tmp_path, not the checkout's
    monkeypatch.setattr(ssh, "write_config", lambda path, names, env=None: asked.append((path, names, env)) or path)
    monkeypatch.setattr(ssh.subprocess, "run", lambda argv, **kw: subprocess.CompletedProcess(argv, 0, "ok", ""))
    monkeypatch.delenv(ssh.SHARED_CONFIG, raising=False)
    return asked


def test_a_node_of_the_classroom_is_reached_with_its_environment_s_config(monkeypatch, tmp_path):
    asked = _asked(monkeypatch, tmp_path)
    env = {"LAB_FILE": str(CLASSROOM), "VAGRANT_DOTFILE_PATH": str(tmp_path / "classroom-vagrant")}
    assert ssh.run("classroom", "id", env=env).returncode == 0
    (path, names, given), = asked
    assert names == [n.name for n in inventory.load(CLASSROOM).nodes] and given is env
    assert path.parent != tmp_path / "ssh", "the classroom's ssh-config took the lab's place"


def test_the_lab_and_the_classroom_keep_their_configs_apart(monkeypatch, tmp_path):
    asked = _asked(monkeypatch, tmp_path)
    monkeypatch.setenv("LAB_FILE", str(inventory.REPO / "lab.yaml"))
    monkeypatch.delenv("VAGRANT_DOTFILE_PATH", raising=False)
    ssh.run("node1", "id")
    ssh.run("classroom", "id", env={"LAB_FILE": str(CLASSROOM), "VAGRANT_DOTFILE_PATH": str(tmp_path / "c")})
    assert len({path for path, _, _ in asked}) == 2
    assert asked[0][1] == [n.name for n in inventory.load(inventory.REPO / "lab.yaml").nodes]
