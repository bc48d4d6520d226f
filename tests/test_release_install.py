"""The release installer against a local HTTP server: verified installs, refused mismatches, the cache."""

import copy
import hashlib
import io
import os
import tarfile

import pytest

from provision import install, steps
from tests import pristine

VERSION = "3.4.1"


def _program(name, version):
    return f"#!/bin/sh\necho '{name}, version {version} (branch: test)'\n".encode()


def _archive(version):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in ("prometheus", "promtool", "LICENSE"):
            data = _program(name, version)
            info = tarfile.TarInfo(f"prometheus-{version}.linux-amd64/{name}")
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _component(httpd, sha256):
    return {"version": VERSION,
            "release": {"url": f"http://127.0.0.1:{httpd.server_port}/v{{version}}/prometheus-{{version}}.linux-{{arch}}.tar.gz",
                        "sha256": {"amd64": sha256, "arm64": "0" * 64}, "binaries": ["prometheus", "promtool"]},
            "apt": {"package": "prometheus", "binaries": {}}}


def _publish(files, version=VERSION):
    data = _archive(version)
    files[f"/v{version}/prometheus-{version}.linux-amd64.tar.gz"] = data
    return hashlib.sha256(data).hexdigest()


def _release(run, component, cache):
    return install.release(run, "prometheus", component, cache, "amd64")


def test_good_archive_installs_the_programs(server, run, tmp_path):
    httpd, files, _ = server
    changed = _release(run, _component(httpd, _publish(files)), tmp_path / "cache")
    assert changed
    for name in ("prometheus", "promtool"):
        program = run.path(f"/usr/local/bin/{name}")
        assert os.access(program, os.X_OK)
        assert install.installed_version(run, program) == VERSION
    assert not run.path("/usr/local/bin/LICENSE").exists()


def test_installed_version_is_left_alone(server, run, tmp_path):
    httpd, files, hits = server
    component = _component(httpd, _publish(files))
    _release(run, component, tmp_path / "cache")
    requests = len(hits)
    assert not _release(run, component, tmp_path / "cache")
    assert len(hits) == requests, "a second run downloaded again"


def test_cached_archive_is_not_downloaded_again(server, run, root, tmp_path):
    httpd, files, hits = server
    component = _component(httpd, _publish(files))
    _release(run, component, tmp_path / "cache")
    run.path("/usr/local/bin/prometheus").unlink()  # a fresh node sharing the host's cache
    assert _release(run, component, tmp_path / "cache")
    assert len(hits) == 1


def test_wrong_checksum_installs_nothing_and_keeps_the_old_binary(server, run, tmp_path):
    httpd, files, _ = server
    _release(run, _component(httpd, _publish(files)), tmp_path / "cache")
    old = run.path("/usr/local/bin/prometheus").read_bytes()
    newer = "3.5.0"
    actual = _publish(files, newer)
    component = dict(_component(httpd, "f" * 64), version=newer)
    with pytest.raises(steps.StepError) as refused:
        _release(run, component, tmp_path / "cache")
    message = str(refused.value)
    assert f"prometheus-{newer}.linux-amd64.tar.gz" in message and "f" * 64 in message and actual in message
    assert run.path("/usr/local/bin/prometheus").read_bytes() == old
    assert sorted(p.name for p in run.path("/usr/local/bin").iterdir()) == ["prometheus", "promtool"]
    assert not list((tmp_path / "cache").glob(f"*{newer}*")), "a mismatching archive was kept in the cache"


def test_failed_download_names_the_url_and_installs_nothing(server, run, tmp_path):
    httpd, _, _ = server
    with pytest.raises(steps.StepError, match=r"download of http://127\.0\.0\.1:\d+/v3\.4\.1/prometheus-3\.4\.1"):
        _release(run, _component(httpd, "a" * 64), tmp_path / "cache")
    assert not run.path("/usr/local/bin/prometheus").exists()


def _tree_archive(members):
    """A Grafana-style archive: everything under one top folder; members are (name, data or ('link', target))."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(f"grafana-v{VERSION}/{name}")
            if isinstance(data, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, data[1]
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o755
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _tree_component(httpd, files, members):
    data = _tree_archive(members)
    files[f"/v{VERSION}/grafana-{VERSION}.linux-amd64.tar.gz"] = data
    return {"version": VERSION,
            "release": {"url": f"http://127.0.0.1:{httpd.server_port}/v{{version}}/grafana-{{version}}.linux-{{arch}}.tar.gz",
                        "sha256": {"amd64": hashlib.sha256(data).hexdigest(), "arm64": "0" * 64},
                        "binaries": ["grafana"], "tree": "/opt/grafana"}}


GRAFANA_TREE = [("bin/grafana", _program("grafana", VERSION)), ("conf/defaults.ini", b"[server]\n"),
                ("public/index.html", b"<html></html>\n"), ("public/latest", ("link", "index.html"))]


def test_tree_archive_is_unpacked_whole_and_linked(server, run, tmp_path):
    httpd, files, _ = server
    component = _tree_component(httpd, files, GRAFANA_TREE)
    assert install.release(run, "grafana", component, tmp_path / "cache", "amd64")
    assert install.paths(component, "release") == {"grafana": "/opt/grafana/bin/grafana"}
    assert os.readlink(run.path("/opt/grafana")) == f"grafana-{VERSION}"
    assert run.path("/opt/grafana/conf/defaults.ini").read_bytes() == b"[server]\n"
    assert os.readlink(run.path("/opt/grafana/public/latest")) == "index.html"
    assert install.installed_version(run, run.path("/opt/grafana/bin/grafana")) == VERSION
    assert not install.release(run, "grafana", component, tmp_path / "cache", "amd64"), "a second run unpacked again"


@pytest.mark.parametrize("member", [("../../etc/cron.d/evil", b"x"), ("public/escape", ("link", "../../../etc/shadow"))],
                         ids=["dot-dot-path", "link-leaving-the-tree"])
def test_tree_archive_escaping_its_folder_installs_nothing(server, run, tmp_path, member):
    httpd, files, _ = server
    component = _tree_component(httpd, files, [*GRAFANA_TREE, member])
    with pytest.raises(steps.StepError, match="nothing installed"):
        install.release(run, "grafana", component, tmp_path / "cache", "amd64")
    assert not run.path("/opt/grafana").exists() and not list(run.path("/opt").iterdir())


def test_an_architecture_without_a_pin_installs_the_package_instead():
    component = {"release": {"sha256": {"amd64": "0" * 64}}}
    assert install.method_for(component, "release", "amd64") == "release"
    assert install.method_for(component, "release", "arm64") == "apt"
    assert install.method_for(component, "apt", "amd64") == "apt"


@pytest.mark.parametrize(("output", "version"), [("prometheus, version 3.4.1 (branch: HEAD)", "3.4.1"),
                                                 ("Redis Metrics Exporter v1.80.1    build date: 2025", "1.80.1"),
                                                 ("NGINX Prometheus Exporter version=1.4.2 commit=abc", "1.4.2")])
def test_installed_version_is_read_from_the_programs_output(run, tmp_path, output, version):
    program = tmp_path / "prog"
    program.write_text(f"#!/bin/sh\necho '{output}'\n")
    program.chmod(0o755)
    assert install.installed_version(run, program) == version


# How each program of lab.yaml's releases prints its version (the installer reads it to know what is installed).
VERSION_OUTPUT = {"victoria-metrics-prod": "victoria-metrics-20251002-105236-tags-v{v}-0-g6d4f6e6f2",
                  "nginx-prometheus-exporter": "nginx-prometheus-exporter version={v} (commit=abc)",
                  "redis_exporter": "Redis Metrics Exporter v{v}    build date: 2026-10-01"}


def _component_archive(name, component, version):
    """An archive laid out as the release's (a top folder, or none for goreleaser's), each program printing its version
    as upstream's does."""
    buf = io.BytesIO()
    top = "" if "_linux_" in component["release"]["url"] else f"{name}-{version}.linux-amd64/"
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for program in component["release"]["binaries"]:
            text = VERSION_OUTPUT.get(program, "{p}, version {v} (branch: HEAD)").format(p=program, v=version)
            data = f"#!/bin/sh\necho '{text}'\n".encode()
            info = tarfile.TarInfo(top + program)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("name", [n for n, c in pristine.raw()["components"].items()
                                  if c.get("release", {}).get("sha256") and not c["release"].get("tree")])
def test_every_pinned_release_of_lab_yaml_installs_from_its_archive_and_is_left_alone_after(server, run, tmp_path, name):
    """lab.yaml's own components, as pinned (VictoriaMetrics among them), fetched from a local server at their release's
    path: installed, then recognised as installed (its version read from the program's own words)."""
    httpd, files, hits = server
    component = copy.deepcopy(pristine.raw()["components"][name])
    version = str(component["version"])
    data = _component_archive(name, component, version)
    url = install.archive_url(component["release"], version, "amd64")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    files[path] = data
    component["release"]["url"] = f"http://127.0.0.1:{httpd.server_port}" + path.replace(version, "{version}")
    component["release"]["sha256"] = {"amd64": hashlib.sha256(data).hexdigest()}
    assert install.release(run, name, component, tmp_path / "cache", "amd64")
    assert not install.release(run, name, component, tmp_path / "cache", "amd64"), f"{name} {version} installed again"
    assert len(hits) == 1
