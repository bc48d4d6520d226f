"""Prometheus' web UI for Debian's Prometheus 3 (host/prometheus_ui.py builds it, provision/web_ui.py installs it):
which lab needs it, what the build takes from Debian's source and what it refuses, and its installation on a node
(idempotent, stale assets removed, a missing build said in one line)."""

import io
import json
import tarfile
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from host import prometheus_ui
from provision import inventory, steps, web_ui
from provision.paths import REPO
from provision.roles import prometheus


def _lab(name="lab.yaml", env=None):
    return inventory.load(REPO / name, env=env or {})


def _unit(lab):
    return next(f for f in prometheus.files(lab, lab.prometheus_node) if f.path.endswith("prometheus.service")).text()


def test_a_forky_lab_needs_the_ui_built_from_forkys_source():
    assert web_ui.source(_lab("examples/forky.yaml", {"LAB_APT_SNAPSHOT": "1"})) == web_ui.SOURCES["forky"]


@pytest.mark.parametrize(("name", "env"), [("lab.yaml", {}), ("lab.yaml", {"LAB_INSTALL_METHOD": "apt"}),
                                           ("examples/forky.yaml", {"LAB_INSTALL_METHOD": "release"})],
                         ids=["release", "debian-13-apt", "forky-by-release"])
def test_a_prometheus_that_has_its_ui_needs_none_built(name, env):
    assert web_ui.source(_lab(name, env)) is None


def test_the_forky_unit_serves_the_built_assets():
    assert f"--web.user-assets={web_ui.ASSETS}" in _unit(_lab("examples/forky.yaml", {"LAB_APT_SNAPSHOT": "1"}))


def test_a_unit_whose_prometheus_has_its_ui_serves_no_user_assets():
    assert "--web.user-assets" not in _unit(_lab())


def test_the_lock_file_is_for_the_package_debian_pins_with_the_overrides():
    lock = json.loads((prometheus_ui.HERE / "package-lock.json").read_text())
    root = lock["packages"][""]
    assert (lock["name"], lock["version"]) == ("@prometheus-io/mantine-ui", "0.305.3")
    for name, (_, used) in prometheus_ui.OVERRIDES.items():
        assert root["dependencies"][name] == used
        assert lock["packages"][f"node_modules/{name}"]["version"] == used


def test_debian_package_json_gets_the_overrides():
    asked = {name: old for name, (old, _) in prometheus_ui.OVERRIDES.items()}
    written = json.loads(prometheus_ui._package_json(json.dumps({"name": "x", "dependencies": dict(asked, react="^19")})))
    assert written["dependencies"] == dict({n: new for n, (_, new) in prometheus_ui.OVERRIDES.items()}, react="^19")


def test_a_package_json_asking_another_version_is_refused_in_one_sentence():
    name = next(iter(prometheus_ui.OVERRIDES))
    with pytest.raises(prometheus_ui.Failed) as refused:
        prometheus_ui._package_json(json.dumps({"dependencies": {name: "9.9.9"}}))
    assert name in str(refused.value) and "9.9.9" in str(refused.value) and "\n" not in str(refused.value)


def _tarball(path, members):
    with tarfile.open(path, "w:xz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


UI = "prometheus-9.9.9/web/ui/mantine-ui/"


@given(st.lists(st.sampled_from(["../../evil", "/etc/passwd", "x/../../../evil", "prometheus-9.9.9/web/evil",
                                 f"{UI}../../evil", f"{UI}src/../../../evil"]), max_size=4))
def test_only_the_ui_folder_is_unpacked_and_nothing_outside_it(tmp_path_factory, outside):
    tmp = tmp_path_factory.mktemp("unpack")
    _tarball(tmp / "source.tar.xz", dict({f"{UI}package.json": b"{}", f"{UI}src/main.tsx": b"x"},
                                         **{name: b"evil" for name in outside}))
    prometheus_ui._unpack(tmp / "source.tar.xz", "9.9.9", tmp / "tree")
    found = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
    assert found == ["source.tar.xz", "tree/package.json", "tree/src/main.tsx"]


def test_a_source_without_the_ui_is_refused(tmp_path):
    _tarball(tmp_path / "source.tar.xz", {"prometheus-9.9.9/README.md": b"x"})
    with pytest.raises(prometheus_ui.Failed, match="holds no .*package.json"):
        prometheus_ui._unpack(tmp_path / "source.tar.xz", "9.9.9", tmp_path / "tree")


def test_the_bundle_depends_only_on_the_files(tmp_path, monkeypatch):
    (tmp_path / "dist" / "assets").mkdir(parents=True)
    (tmp_path / "dist" / "index.html").write_text("<html>")
    (tmp_path / "dist" / "assets" / "a.js").write_text("x")
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)  # the clock of the first pack...
    prometheus_ui._pack(tmp_path / "dist", tmp_path / "one.tar.gz")
    (tmp_path / "dist" / "index.html").touch()
    monkeypatch.setattr(time, "time", lambda: 1_800_000_061.0)  # ... and a minute later
    prometheus_ui._pack(tmp_path / "dist", tmp_path / "two.tar.gz")
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()


def test_an_unknown_option_is_named_with_the_allowed_ones(capsys):
    assert prometheus_ui.main(["--forse"]) == 2
    said = capsys.readouterr().err
    assert "'--forse'" in said and "--when-needed" in said and said.count("\n") == 1


# --- installed on a node ---------------------------------------------------------------------------------------------

@pytest.fixture
def forky():
    return _lab("examples/forky.yaml", {"LAB_APT_SNAPSHOT": "1"})


@pytest.fixture
def node(root, forky):
    """A node whose Debian Prometheus says it is 3.5.3, and the host's cache with a built UI for it."""
    binary = root / "usr/bin/prometheus"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\necho 'prometheus, version 3.5.3+ds1 (branch: debian/sid)'\n")
    binary.chmod(0o755)
    cache = root / "cache"
    cache.mkdir()
    return cache


def _bundle(cache, version, files):
    import shutil

    dist = cache.parent / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    for name, text in files.items():
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_text(text)
    prometheus_ui._pack(dist, cache / web_ui.bundle_name(version))


PROGRAMS = {"prometheus": "/usr/bin/prometheus"}


def test_the_built_ui_is_installed_where_debians_prometheus_serves_it(run, forky, node):
    _bundle(node, "3.5.3", {"index.html": "<html>", "favicon.svg": "<svg/>", "assets/index-1.js": "js"})
    assert web_ui.apply(run, forky, PROGRAMS, "/cache")
    assert run.path(web_ui.INDEX).read_text() == "<html>"
    assert run.path(f"{web_ui.ASSETS}/assets/index-1.js").read_text() == "js"
    assert not run.path(f"{web_ui.ASSETS}/index.html").exists(), "an index.html there would be taken for a console"


def test_a_second_installation_changes_nothing(run, forky, node):
    _bundle(node, "3.5.3", {"index.html": "<html>", "assets/index-1.js": "js"})
    web_ui.apply(run, forky, PROGRAMS, "/cache")
    assert not web_ui.apply(run, forky, PROGRAMS, "/cache")


def test_a_new_build_takes_the_old_assets_away(run, forky, node):
    _bundle(node, "3.5.3", {"index.html": "<html>", "assets/index-1.js": "js"})
    web_ui.apply(run, forky, PROGRAMS, "/cache")
    _bundle(node, "3.5.3", {"index.html": "<html>2", "assets/index-2.js": "js2"})
    assert web_ui.apply(run, forky, PROGRAMS, "/cache")
    assert sorted(p.name for p in run.path(f"{web_ui.ASSETS}/assets").iterdir()) == ["index-2.js"]


def test_a_ui_not_built_for_the_installed_version_is_said_in_one_line(run, forky, node, capsys):
    _bundle(node, "3.5.2", {"index.html": "<html>"})
    assert not web_ui.apply(run, forky, PROGRAMS, "/cache")
    said = capsys.readouterr().out
    assert "not built for Prometheus 3.5.3" in said and "make prometheus-ui" in said and said.count("\n") == 1
    assert not run.path(web_ui.INDEX).exists()


def test_the_build_tree_is_never_copied_into_a_guest():
    from host.vagrant import COPY_EXCLUDE

    assert ".cache/prometheus-ui/" in COPY_EXCLUDE
    assert prometheus_ui.WORK == REPO / ".cache" / "prometheus-ui"


def test_check_mode_installs_nothing(root, forky, node, capsys):
    _bundle(node, "3.5.3", {"index.html": "<html>"})
    checking = steps.Run(node="test", root=root, check=True)
    assert web_ui.apply(checking, forky, PROGRAMS, "/cache")
    assert not checking.path(web_ui.INDEX).exists()
