"""Nothing depends on the docker provider's synced folder: the host makes every secret the nodes share before any guest
is provisioned, and a guest only reads them (provision/credentials.py). Proven here by provisioning's rendering run in
a guest's way (a separate Python, credentials.make_missing off) from the synced folders the other providers give:
VirtualBox's shared folder that refuses hard links and symlinks, libvirt's one-way copy per node (rsync), a folder owned
by another user. Each node must find the same secrets, and leave its folder exactly as it found it."""

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from host import vagrant
from provision import credentials, steps
from provision.paths import REPO

# Run in the guest's way from a copy of the repository: the synced folder refuses hard links and symlinks (as
# VirtualBox's does), the secrets are read, never made; prints every rendered file of the node as JSON.
GUEST = r"""
import errno, json, os, sys

def refused(*args, **kwargs):
    raise PermissionError(errno.EPERM, "Operation not permitted (the synced folder refuses links)")

os.link = os.symlink = refused
from provision import credentials, inventory, roles, steps
credentials.make_missing = False
lab = inventory.load(sys.argv[1])
node = lab.node(sys.argv[2])
try:
    print(json.dumps({item.path: item.text() for role in node.roles for item in roles.module(role).files(lab, node)}))
except steps.StepError as e:
    print(f"FAILED {e}", file=sys.stderr)
    sys.exit(1)
"""
INVENTORY = "examples/ha.yaml"  # Prometheus replicas (node1, node2), the global view and a third Alertmanager (node3)


def tracked():
    out = subprocess.run(["git", "ls-files", "-z", "provision", "templates", "lab.yaml", "examples"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return [name for name in out.split("\0") if name]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A host's checkout (the files provisioning reads) whose secrets the host has made, as `make up` does."""
    root = tmp_path_factory.mktemp("host")
    for name in tracked():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    subprocess.run([sys.executable, "-c", "from provision import credentials; credentials.make_all()"], cwd=root,
                   check=True, env={**os.environ, "PYTHONPATH": str(root)})
    return root


def one_way_copy(checkout, where):
    """What libvirt's rsync synced folder gives a node: its own copy, made once by the host."""
    shutil.copytree(checkout, where, symlinks=False)
    return where


def digest(tree):
    """Every path, mode, owner and content of a tree: what a guest must leave as it found it."""
    h = hashlib.sha256()
    for path in sorted(tree.rglob("*")):
        info = path.lstat()
        h.update(f"{path.relative_to(tree)}:{oct(info.st_mode)}:{info.st_uid}:{info.st_nlink}".encode())
        if stat.S_ISREG(info.st_mode):
            h.update(path.read_bytes())
    return h.hexdigest()


def in_the_guest(folder, node):
    """The node's rendered files, rendered the guest's way from `folder`; the CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    return subprocess.run([sys.executable, "-c", GUEST, str(folder / INVENTORY), node], cwd=folder, capture_output=True,
                          text=True, env={**env, "PYTHONPATH": str(folder)})


def secret(checkout, path):
    return (checkout / path.relative_to(REPO)).read_text().strip()


KINDS = ["shared folder refusing links", "one-way copy per node", "owned by another user"]


@pytest.fixture(params=KINDS)
def folders(request, checkout, tmp_path):
    """node -> the synced folder it sees, of the kind asked."""
    kind = request.param
    if kind == "shared folder refusing links":  # one folder for every node, as VirtualBox's shared folder
        return {node: checkout for node in ("node1", "node2", "node3")}
    copies = {node: one_way_copy(checkout, tmp_path / node) for node in ("node1", "node2", "node3")}
    if kind == "owned by another user":
        if os.geteuid() != 0:
            pytest.skip("giving the folder to another user needs root (the guests' provisioning runs as root)")
        for copy in copies.values():
            for path in [copy, *copy.rglob("*")]:
                os.lchown(path, 4242, 4242)
    return copies


@pytest.mark.parametrize("node", ["node1", "node2", "node3"])
def test_a_node_renders_from_its_synced_folder_and_leaves_it_as_it_found_it(folders, node):
    folder = folders[node]
    before = digest(folder)
    proc = in_the_guest(folder, node)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert digest(folder) == before, f"{node} changed its synced folder while provisioning"


def test_every_node_finds_the_secrets_the_host_made(folders, checkout):
    """The remote-write password Prometheus sends (node1, node2) is the one VictoriaMetrics asks for (node3), from
    whichever copy each reads; Alertmanager's is the one Prometheus signs in with."""
    rendered = {node: json.loads(in_the_guest(folder, node).stdout) for node, folder in folders.items()}
    remote_write = secret(checkout, credentials.REMOTE_WRITE)
    alertmanager = secret(checkout, credentials.ALERTMANAGER)
    for node in ("node1", "node2", "node3"):
        assert any(remote_write in text for text in rendered[node].values()), f"{node} lacks the host's remote-write password"
    for node in ("node1", "node2"):
        assert any(alertmanager in text for text in rendered[node].values()), f"{node} lacks the host's Alertmanager password"


def test_a_node_whose_folder_lacks_a_secret_says_so_in_one_sentence_and_makes_none(checkout, tmp_path):
    copy = one_way_copy(checkout, tmp_path / "node1")
    (copy / credentials.ALERTMANAGER.relative_to(REPO)).unlink()
    before = digest(copy)
    proc = in_the_guest(copy, "node1")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "alertmanager-password" in proc.stderr and "make provision" in proc.stderr, proc.stderr
    assert digest(copy) == before


def test_the_guest_reads_a_secret_and_never_makes_one(tmp_path, monkeypatch):
    monkeypatch.setattr(credentials, "make_missing", False)
    with pytest.raises(steps.StepError, match="the host makes it before provisioning"):
        credentials.shared(tmp_path / "secrets" / "remote-write-password")
    assert not (tmp_path / "secrets").exists()


def test_the_host_makes_every_shared_secret_once_only_its_owner_reading(tmp_path, monkeypatch):
    paths = tuple(tmp_path / "secrets" / p.name for p in credentials.SHARED)
    monkeypatch.setattr(credentials, "SHARED", paths)
    credentials.make_all()
    first = [p.read_text() for p in paths]
    credentials.make_all()
    assert [p.read_text() for p in paths] == first and len(set(first)) == len(paths)
    assert {stat.S_IMODE(p.stat().st_mode) for p in paths} == {0o600}
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700


def test_a_host_file_system_without_hard_links_still_gets_one_secret(tmp_path, monkeypatch):
    def refused(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    path = tmp_path / "secrets" / "remote-write-password"
    assert credentials.made_once(path, lambda: b"first\n")
    assert not credentials.made_once(path, lambda: b"second\n")
    assert path.read_text() == "first\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_vagrants_provisioning_commands_make_the_secrets_first(monkeypatch, capsys):
    made = []
    monkeypatch.setattr(credentials, "make_all", lambda: made.append(True))
    monkeypatch.setattr(vagrant, "sync_secrets", lambda: None)
    monkeypatch.setattr(vagrant.signin, "ensure", lambda: None)
    assert vagrant.main(["--json", "--secrets"]) == 0 and made
    made.clear()
    assert vagrant.main(["--json"]) == 0 and not made
    capsys.readouterr()
