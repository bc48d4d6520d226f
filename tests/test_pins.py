"""scripts/pins.py against a local HTTP server holding upstream-like checksum files (--mirror)."""

import hashlib
from pathlib import PurePosixPath

import pytest
import yaml

from provision import install, inventory, schema
from scripts import pins
from tests import pristine


def _digest(*words):
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


@pytest.fixture
def lab(tmp_path):
    """A copy of lab.yaml (the real one is never written)."""
    path = tmp_path / "lab.yaml"
    path.write_text(pristine.text("lab.yaml"))
    return path


def _publish(files, component, version, sums_by_arch, build=None):
    """Serve components.<component>'s checksum file(s) for `version` (and a download path's build number): {arch: sha256}
    (an arch left out is absent)."""
    release = dict(component["release"], **({"build": build} if build else {}))
    by_file = {}
    for arch in schema.ARCHES:
        url = install.archive_url(release, version, arch, key="checksums")
        lines = by_file.setdefault(url, [])
        if arch in sums_by_arch:
            name = PurePosixPath(install.archive_url(release, version, arch)).name
            lines.append(sums_by_arch[arch] if url.endswith(".sha256") else f"{sums_by_arch[arch]}  {name}")
    for url, lines in by_file.items():
        files["/" + url.removeprefix("https://")] = ("\n".join(lines) + "\n").encode()


@pytest.fixture
def upstream(server, lab):
    """Every component's checksum files at the pinned versions, agreeing with lab.yaml."""
    httpd, files, hits = server
    for component in yaml.safe_load(lab.read_text())["components"].values():
        _publish(files, component, component["version"], component["release"].get("sha256") or {})
    return f"http://127.0.0.1:{httpd.server_port}", files, hits


def _run(lab, mirror, *args):
    return pins.main(["--lab", str(lab), "--mirror", mirror, *args])


def _component(lab, name):
    return yaml.safe_load(lab.read_text())["components"][name]


@pytest.mark.parametrize("text, expected", [
    (f"{'a' * 64}  prometheus-3.5.4.linux-amd64.tar.gz\n", {"prometheus-3.5.4.linux-amd64.tar.gz": "a" * 64}),
    (f"{'b' * 64} *dist/app_1.0_linux_arm64.tar.gz\n", {"app_1.0_linux_arm64.tar.gz": "b" * 64}),
    (f"{'C' * 64}\n", {None: "c" * 64}),
    ("# a comment\n\nnot a hash line\n", {}),
], ids=["sha256sums", "binary-marker-and-folder", "bare-hash", "nothing"])
def test_checksum_file_formats_are_read(text, expected):
    assert pins.parse_sums(text) == expected


def test_mirror_keeps_host_and_path():
    assert pins.via("https://github.com/a/b/sha256sums.txt", "http://127.0.0.1:8000/") == \
        "http://127.0.0.1:8000/github.com/a/b/sha256sums.txt"


def test_pins_agreeing_with_upstream_pass(lab, upstream, capsys):
    mirror, _, hits = upstream
    assert _run(lab, mirror) == 0
    out = capsys.readouterr().out
    assert "prometheus amd64: ok" in out and "differs" not in out
    version = _component(lab, "prometheus")["version"]
    assert any(hit.endswith(f"/v{version}/sha256sums.txt") for hit in hits), hits


def test_pin_differing_from_upstream_fails_naming_both(lab, upstream, capsys):
    mirror, files, _ = upstream
    prometheus = _component(lab, "prometheus")
    _publish(files, prometheus, prometheus["version"], {**prometheus["release"]["sha256"], "arm64": "f" * 64})
    assert _run(lab, mirror) == 1
    out = capsys.readouterr().out
    assert f"prometheus arm64: differs - lab.yaml pins {prometheus['release']['sha256']['arm64']}, upstream lists {'f' * 64}" in out


def test_pinned_architecture_upstream_lacks_fails(lab, upstream, capsys):
    mirror, files, _ = upstream
    prometheus = _component(lab, "prometheus")
    _publish(files, prometheus, prometheus["version"], {"amd64": prometheus["release"]["sha256"]["amd64"]})
    assert _run(lab, mirror) == 1
    version = prometheus["version"]
    assert f"prometheus arm64: differs - upstream lists no prometheus-{version}.linux-arm64.tar.gz" in capsys.readouterr().out


def test_unpinned_architecture_is_reported_not_failed(lab, upstream, capsys):
    mirror, files, _ = upstream
    thanos = _component(lab, "thanos")
    _publish(files, thanos, thanos["version"], {"amd64": "d" * 64})
    assert _run(lab, mirror) == 0
    assert f"thanos amd64: unpinned - upstream has {'d' * 64}" in capsys.readouterr().out


def test_unreadable_checksum_file_fails(lab, upstream, capsys):
    mirror, files, _ = upstream
    version = _component(lab, "alertmanager")["version"]
    del files[f"/github.com/prometheus/alertmanager/releases/download/v{version}/sha256sums.txt"]
    assert _run(lab, mirror) == 1
    assert "alertmanager amd64: unreadable" in capsys.readouterr().out


def test_update_moves_version_and_hashes(lab, upstream, capsys):
    mirror, files, _ = upstream
    before = lab.read_text()
    new = {"amd64": _digest("amd64", "3.5.4"), "arm64": _digest("arm64", "3.5.4")}
    _publish(files, _component(lab, "prometheus"), "3.5.4", new)
    assert _run(lab, mirror, "--update", "prometheus", "3.5.4") == 0, capsys.readouterr().err
    prometheus = _component(lab, "prometheus")
    assert (prometheus["version"], prometheus["release"]["sha256"]) == ("3.5.4", new)
    assert inventory.load(lab, env={}).components["prometheus"]["version"] == "3.5.4"
    changed = {line for line in set(lab.read_text().splitlines()) ^ set(before.splitlines())}
    old = yaml.safe_load(before)["components"]["prometheus"]["version"]
    assert all(old in line or "3.5.4" in line or "sha256" in line or any(d in line for d in new.values())
               or any(d in line for d in yaml.safe_load(before)["components"]["prometheus"]["release"]["sha256"].values())
               for line in changed), changed


def test_update_pins_a_component_that_had_no_hash(lab, upstream, capsys):
    mirror, files, _ = upstream
    _publish(files, _component(lab, "thanos"), "0.39.2", {"amd64": "e" * 64, "arm64": "1" * 64})
    assert _run(lab, mirror, "--update", "thanos", "0.39.2") == 0, capsys.readouterr().err
    assert _component(lab, "thanos")["release"]["sha256"] == {"amd64": "e" * 64, "arm64": "1" * 64}


def test_update_keeps_an_architecture_upstream_lacks_unpinned(lab, upstream, capsys):
    mirror, files, _ = upstream
    _publish(files, _component(lab, "mysqld_exporter"), "0.18.0", {"amd64": "2" * 64})
    assert _run(lab, mirror, "--update", "mysqld_exporter", "0.18.0") == 0, capsys.readouterr().err
    assert _component(lab, "mysqld_exporter")["release"]["sha256"] == {"amd64": "2" * 64}


@pytest.mark.parametrize("version, published, status", [
    ("9.9.9", None, 1),              # no checksum file: the release does not exist (404)
    ("9.9.8", {"arm64": "3" * 64}, 2),  # a file without the amd64 archive
    ("latest", None, 2),             # not a version
], ids=["no-such-release", "no-amd64-archive", "not-a-version"])
def test_refused_update_leaves_lab_yaml_alone(lab, upstream, capsys, version, published, status):
    mirror, files, _ = upstream
    before = lab.read_text()
    if published:
        _publish(files, _component(lab, "prometheus"), version, published)
    assert _run(lab, mirror, "--update", "prometheus", version) == status
    assert capsys.readouterr().err.startswith("promlab: ")
    assert lab.read_text() == before
    assert sorted(p.name for p in lab.parent.iterdir()) == ["lab.yaml"]


def test_grafanas_download_path_with_its_build_number_is_verified_against_its_one_hash_files(lab, upstream, capsys):
    """Grafana publishes one .sha256 file per archive, holding a bare hash, beside a path with a build number."""
    mirror, _, hits = upstream
    assert _run(lab, mirror) == 0
    grafana = _component(lab, "grafana")
    assert "grafana amd64: ok" in capsys.readouterr().out
    assert any(hit.endswith(f"grafana_{grafana['version']}_{grafana['release']['build']}_linux_amd64.tar.gz.sha256") for hit in hits)


def test_update_moves_grafana_to_a_version_with_its_build_number(lab, upstream, capsys):
    mirror, files, _ = upstream
    new = {"amd64": _digest("grafana", "amd64"), "arm64": _digest("grafana", "arm64")}
    _publish(files, _component(lab, "grafana"), "13.3.0", new, build="40000000001")
    assert _run(lab, mirror, "--update", "grafana", "13.3.0", "--build", "40000000001") == 0, capsys.readouterr().err
    grafana = _component(lab, "grafana")
    assert (grafana["version"], grafana["release"]["build"], grafana["release"]["sha256"]) == ("13.3.0", "40000000001", new)


@pytest.mark.parametrize("args", [["--update", "grafana", "13.3.0"], ["--update", "grafana", "13.3.0", "--build", "4O"]],
                         ids=["no-build", "not-digits"])
def test_grafana_without_a_right_build_number_is_refused(lab, upstream, capsys, args):
    mirror, _, _ = upstream
    before = lab.read_text()
    assert _run(lab, mirror, *args) == 2
    assert capsys.readouterr().err.startswith("promlab: ") and lab.read_text() == before


@pytest.mark.parametrize(("url", "build", "says"), [
    ("https://dl.grafana.com/grafana/release/{version}/grafana_{version}_{build}_linux_{arch}.tar.gz", None, "release.build"),
    ("https://dl.grafana.com/oss/release/grafana-{version}.linux-{arch}.tar.gz", "123", "neither release.url"),
])
def test_a_build_number_and_the_path_that_carries_it_go_together(url, build, says):
    raw = pristine.raw()
    release = raw["components"]["grafana"]["release"]
    release["url"], release["checksums"] = url, url + ".sha256"
    release.pop("build")
    if build:
        release["build"] = build
    with pytest.raises(inventory.InventoryError) as e:
        inventory.parse(raw, env={})
    assert says in str(e.value)


def test_an_overlay_is_told_its_pins_are_in_the_inventory_it_extends(lab, upstream, capsys):
    """An example's pins are lab.yaml's, written once: the update goes there, the overlay stays as it is."""
    mirror, _, _ = upstream
    overlay = lab.parent / "examples" / "forky.yaml"
    overlay.parent.mkdir()
    overlay.write_text("extends: ../lab.yaml\nlab:\n  install_method: apt\n")
    assert _run(overlay, mirror, "--update", "prometheus", "9.9.9") == 2
    assert "components.prometheus's release pins are not written in" in capsys.readouterr().err
    assert overlay.read_text() == "extends: ../lab.yaml\nlab:\n  install_method: apt\n"
