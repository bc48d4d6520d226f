"""Offline preparation (scripts/offline.py): the cache filled with verified archives, and the package list."""

import hashlib
from types import SimpleNamespace

from scripts import offline
from tests import pristine


def _lab(httpd, sums):
    url = f"http://127.0.0.1:{httpd.server_port}/{{version}}/tool-{{arch}}.tar.gz"
    component = {"version": "1.0.0", "release": {"url": url, "sha256": sums}, "apt": {"package": "tool"}}
    return SimpleNamespace(components={"tool": component})


def test_every_pinned_archive_lands_in_the_cache_verified(server, tmp_path, capsys):
    httpd, files, hits = server
    files["/1.0.0/tool-amd64.tar.gz"], files["/1.0.0/tool-arm64.tar.gz"] = b"amd64 archive", b"arm64 archive"
    sums = {a: hashlib.sha256(f"{a} archive".encode()).hexdigest() for a in ("amd64", "arm64")}
    assert offline.archives(_lab(httpd, sums), ["amd64", "arm64"], tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool-amd64.tar.gz", "tool-arm64.tar.gz"]
    assert offline.archives(_lab(httpd, sums), ["amd64", "arm64"], tmp_path) == []  # the second time: from the cache
    assert len(hits) == 2 and "cached" in capsys.readouterr().out


def test_a_wrong_archive_is_reported_and_not_kept(server, tmp_path):
    httpd, files, _ = server
    files["/1.0.0/tool-amd64.tar.gz"] = b"tampered"
    problems = offline.archives(_lab(httpd, {"amd64": "0" * 64}), ["amd64"], tmp_path)
    assert len(problems) == 1 and "checksum mismatch" in problems[0]
    assert not list(tmp_path.iterdir())


def test_an_architecture_without_a_pin_is_named_not_fetched(server, tmp_path, capsys):
    httpd, _, hits = server
    assert offline.archives(_lab(httpd, {}), ["arm64"], tmp_path) == []
    assert not hits and "Debian's tool" in capsys.readouterr().out


def test_preloaded_packages_cover_every_server_the_exporters_watch():
    packages = offline.debian_packages(pristine.lab())
    assert {"postgresql", "mariadb-server", "nginx-light", "redis-server", "prometheus", "prometheus-node-exporter"} <= set(packages)
    assert "grafana" not in packages  # Grafana's own repository is not Debian's
