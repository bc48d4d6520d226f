"""A component from another Debian suite (apt.suite, e.g. forky for Prometheus 3): facts in, commands out. The suite's
source goes on the node's own mirror, pinned at priority 100 (nothing else leaves the release); the package is the
version that suite offers; a frozen mirror's expired index is accepted only with LAB_APT_SNAPSHOT=1, and refused
otherwise in one sentence naming the setting."""

import copy

import pytest

from provision import install, inventory, steps
from tests import pristine
from tests.recorder import Recorder

MADISON = ("prometheus | 3.5.3+ds1-1 | http://deb.debian.org/debian forky/main amd64 Packages\n"
           "prometheus | 2.53.3+ds1-2 | http://deb.debian.org/debian trixie/main amd64 Packages\n")


Guest = Recorder  # a node answering from facts


@pytest.fixture
def node(root, capsys, monkeypatch):
    monkeypatch.setattr(steps, "_fix_owner_mode", lambda run, path, owner, group, mode: [])
    monkeypatch.delenv(install.SNAPSHOT, raising=False)
    (root / "etc" / "apt" / "sources.list.d").mkdir(parents=True)
    (root / "etc" / "apt" / "sources.list").write_text("deb http://mirror.example.invalid/debian trixie main\n")
    (root / "etc" / "os-release").write_text('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nVERSION_CODENAME=trixie\n')
    return root


def guest(root):
    return Guest(node="node1", root=root)


def test_the_suite_is_added_on_the_nodes_own_mirror_pinned_low(node):
    run = guest(node)
    assert install.apt_suite(run, "forky")
    sources = run.path("/etc/apt/sources.list.d/promlab-forky.sources").read_text()
    assert "URIs: http://mirror.example.invalid/debian\n" in sources and "Suites: forky\n" in sources
    assert f"Signed-By: {install.KEYRING}\n" in sources and "Check-Valid-Until" not in sources
    assert "Pin: release n=forky\nPin-Priority: 100\n" in run.path("/etc/apt/preferences.d/promlab-forky.pref").read_text()
    assert run.updates() == [("apt-get", "update", "-q")]


def test_a_second_run_changes_nothing_and_updates_nothing(node):
    install.apt_suite(guest(node), "forky")
    (node / "var" / "lib" / "apt" / "lists").mkdir(parents=True)
    (node / "var" / "lib" / "apt" / "lists" / "mirror.example.invalid_debian_dists_forky_InRelease").write_text("")
    again = guest(node)
    assert not install.apt_suite(again, "forky") and again.updates() == []


def test_a_snapshot_mirror_is_accepted_only_when_the_user_says_so(node, monkeypatch):
    monkeypatch.setenv(install.SNAPSHOT, "1")
    run = guest(node)
    install.apt_suite(run, "forky")
    assert "Check-Valid-Until: no\n" in run.path("/etc/apt/sources.list.d/promlab-forky.sources").read_text()


def test_an_expired_index_is_refused_in_one_sentence_naming_the_setting(node):
    expired = (100, "", "E: Release file for http://mirror.example.invalid/debian/dists/forky/InRelease is expired "
                        "(invalid since 26d 3h). Updates for this repository will not be applied.")
    with pytest.raises(steps.StepError) as e:
        install.apt_suite(Guest(node="node1", root=node, facts={("apt-get", "update"): expired}), "forky")
    assert "LAB_APT_SNAPSHOT=1" in str(e.value) and "\n" not in str(e.value).split(" APT said:")[0]


@pytest.mark.parametrize(("installed", "changing"), [("2.53.3+ds1-2", True), ("3.5.3+ds1-1", False), (None, True)])
def test_the_package_is_the_version_of_its_suite(node, installed, changing):
    status = (0, f"install ok installed {installed}", "") if installed else (1, "", "no packages found")
    run = Guest(node="node1", root=node, facts={("dpkg-query",): status, ("apt-cache", "madison"): (0, MADISON, "")})
    assert install.apt_package(run, "prometheus", "forky") is changing
    installs = [c for c in run.issued if c[:2] == ("apt-get", "install")]
    assert installs == ([("apt-get", "install", "-y", "-q", "--no-install-recommends", "-t", "forky", "prometheus")]
                        if changing else [])


def test_the_nodes_own_release_named_as_a_suite_adds_no_source(node):
    component = copy.deepcopy(pristine.raw()["components"]["node_exporter"])
    component["apt"]["suite"] = "trixie"
    run = Guest(node="node1", root=node, facts={("dpkg-query",): (0, "install ok installed 1.9.0", ""),
                                                   ("systemctl", "is-enabled"): (0, "masked\n", "")})
    install.install(run, "node_exporter", component, "apt", str(node / "cache"))
    assert not (node / "etc" / "apt" / "sources.list.d" / "promlab-trixie.sources").exists()
    assert [c for c in run.issued if c[:2] == ("apt-get", "install")] == []


@pytest.mark.parametrize("suite", ["bullseye", "stable", "forky;rm -rf /", "Forky", ""])
def test_an_unknown_suite_is_refused_in_one_sentence(suite):
    raw = copy.deepcopy(pristine.raw())
    raw["components"]["prometheus"]["apt"]["suite"] = suite
    with pytest.raises(inventory.InventoryError) as e:
        inventory.parse(raw, env={})
    (problem,) = e.value.problems
    assert problem.startswith("components.prometheus.apt.suite:") and "forky" in problem


def test_a_snapshot_setting_other_than_1_is_refused():
    with pytest.raises(inventory.InventoryError) as e:
        inventory.parse(copy.deepcopy(pristine.raw()), env={"LAB_APT_SNAPSHOT": "yes"})
    assert "LAB_APT_SNAPSHOT" in str(e.value)
