"""host/lxcfs.py: whether lxcfs serves this host, the mounts a container then gets, and the one sentence
`make up` says when it cannot."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from host import lxcfs

FILES = ("meminfo", "cpuinfo", "stat", "loadavg", "uptime", "diskstats", "swaps")


@pytest.fixture
def where(tmp_path):
    """A folder standing for lxcfs's, its files answering as a live lxcfs's do."""
    folder = tmp_path / "lxcfs"
    (folder / "proc").mkdir(parents=True)
    for name in FILES:
        (folder / "proc" / name).write_text("")
    return str(folder)


@pytest.fixture
def mounts(tmp_path):
    def write(text):
        path = tmp_path / "mounts"
        path.write_text(text)
        return str(path)
    return write


def table(where, fstype="fuse.lxcfs"):
    return f"proc /proc proc rw 0 0\nlxcfs {where} {fstype} rw,nosuid,nodev,relatime,user_id=0,group_id=0,allow_other 0 0\n"


def test_a_host_where_lxcfs_serves_gives_each_container_its_proc_files(mounts, where):
    assert lxcfs.volumes(mounts(table(where)), where) == [f"--volume={where}/proc/{f}:/proc/{f}:rw" for f in FILES]


@pytest.mark.parametrize("text", ["proc /proc proc rw 0 0\n", "tmpfs {where} tmpfs rw 0 0\n",
                                  "lxcfs /srv/lxcfs fuse.lxcfs rw 0 0\n", ""])
def test_no_mounts_where_lxcfs_does_not_serve_its_folder(mounts, where, text):
    table_ = mounts(text.format(where=where))
    assert not lxcfs.serving(table_, where) and lxcfs.volumes(table_, where) == []


def test_a_dead_lxcfs_still_in_the_mount_table_does_not_serve(mounts, where):
    """A host restored from a snapshot keeps the mount of an lxcfs that no longer runs; every access then fails
    and docker refuses each container that mounts its files: no mounts, and make up starts a new lxcfs."""
    (Path(where) / "proc" / "meminfo").unlink()
    assert lxcfs.mounted(mounts(table(where)), where)
    assert not lxcfs.serving(mounts(table(where)), where) and lxcfs.volumes(mounts(table(where)), where) == []


def test_a_host_without_a_mount_table_is_not_served(tmp_path, where):
    assert lxcfs.volumes(str(tmp_path / "absent"), where) == []


def test_make_up_says_once_what_a_missing_lxcfs_means(monkeypatch, capsys):
    monkeypatch.setattr(lxcfs, "ensure", lambda: "this host has no /dev/fuse")
    assert lxcfs.main() == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "no /dev/fuse" in out[0] and "host's memory, CPU and load" in out[0]


def test_nothing_is_said_when_lxcfs_serves(monkeypatch, capsys):
    monkeypatch.setattr(lxcfs, "ensure", lambda: None)
    lxcfs.main()
    assert capsys.readouterr().out == ""


def test_a_dead_lxcfs_that_cannot_be_unmounted_is_said_with_the_command_that_does(monkeypatch):
    monkeypatch.setattr(lxcfs, "serving", lambda: False)
    monkeypatch.setattr(lxcfs, "why_not", lambda: None)
    monkeypatch.setattr(lxcfs, "mounted", lambda: True)
    ran = []
    monkeypatch.setattr(lxcfs.subprocess, "run", lambda argv, **_: ran.append(argv) or type("R", (), {"returncode": 32}))
    monkeypatch.setattr(lxcfs.subprocess, "Popen", lambda *a, **k: pytest.fail("started lxcfs over a dead mount"))
    reason = lxcfs.ensure(wait=0)
    assert ran == [["umount", "--lazy", lxcfs.DIR]] and f"sudo umount --lazy {lxcfs.DIR}" in reason


def nodes(*cpus):
    return [SimpleNamespace(name=f"node{i + 1}", cpus=c) for i, c in enumerate(cpus)]


@pytest.mark.parametrize(("cpus", "cores", "expected"), [
    ((1, 1, 1, 1, 1, 1), [0, 1], {"node1": "0", "node2": "1", "node3": "0", "node4": "1", "node5": "0", "node6": "1"}),
    ((2, 1, 1), [0, 1, 2, 3], {"node1": "0,1", "node2": "2", "node3": "3"}),
    ((2, 2, 2), [0, 1, 2], {"node1": "0,1", "node2": "2,0", "node3": "1,2"}),
    ((4, 1), [0, 1], {"node2": "0"}),  # as many CPUs as the host has, or more: not pinned
    ((1, 1), [2, 5], {"node1": "2", "node2": "5"}),  # the CPUs this process may use, not 0..n
])
def test_each_node_is_pinned_to_as_many_host_cpus_as_it_has_round_the_host(cpus, cores, expected):
    assert lxcfs.cpusets(nodes(*cpus), cores) == expected


def test_nodes_are_pinned_only_where_lxcfs_serves(mounts, where, monkeypatch):
    monkeypatch.setattr(lxcfs.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert lxcfs.create_args(nodes(1, 1), mounts(table(where)), where) == {"node1": ["--cpuset-cpus=0"],
                                                                           "node2": ["--cpuset-cpus=1"]}
    assert lxcfs.create_args(nodes(1, 1), mounts(""), where) == {}
