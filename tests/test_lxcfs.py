"""provision/lxcfs.py: whether lxcfs serves this host, the mounts a container then gets, and the one sentence
`make up` says when it cannot."""

import pytest

from provision import lxcfs

SERVING = "proc /proc proc rw 0 0\nlxcfs /var/lib/lxcfs fuse.lxcfs rw,nosuid,nodev,relatime,user_id=0,group_id=0,allow_other 0 0\n"


@pytest.fixture
def mounts(tmp_path):
    def write(text):
        path = tmp_path / "mounts"
        path.write_text(text)
        return str(path)
    return write


def test_a_host_where_lxcfs_serves_gives_each_container_its_proc_files(mounts):
    volumes = lxcfs.volumes(mounts(SERVING))
    assert volumes == [f"--volume=/var/lib/lxcfs/proc/{f}:/proc/{f}:rw" for f in
                       ("meminfo", "cpuinfo", "stat", "loadavg", "uptime", "diskstats", "swaps")]


@pytest.mark.parametrize("text", ["proc /proc proc rw 0 0\n", "tmpfs /var/lib/lxcfs tmpfs rw 0 0\n",
                                  "lxcfs /srv/lxcfs fuse.lxcfs rw 0 0\n", ""])
def test_no_mounts_where_lxcfs_does_not_serve_its_folder(mounts, text):
    assert not lxcfs.serving(mounts(text)) and lxcfs.volumes(mounts(text)) == []


def test_a_host_without_a_mount_table_is_not_served(tmp_path):
    assert lxcfs.volumes(str(tmp_path / "absent")) == []


def test_make_up_says_once_what_a_missing_lxcfs_means(monkeypatch, capsys):
    monkeypatch.setattr(lxcfs, "ensure", lambda: "this host has no /dev/fuse")
    assert lxcfs.main() == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "no /dev/fuse" in out[0] and "host's memory, CPU and load" in out[0]


def test_nothing_is_said_when_lxcfs_serves(monkeypatch, capsys):
    monkeypatch.setattr(lxcfs, "ensure", lambda: None)
    lxcfs.main()
    assert capsys.readouterr().out == ""
