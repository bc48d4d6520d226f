"""labclient/status.py: the lab at a glance, asking Vagrant as little as it can (a fake `vagrant` on PATH, a fake
SSH host and a fake Prometheus: facts in, the view and its exit status out)."""

import os
import re

import pytest

from labclient import ssh, status
from labclient.lab import loaded

NODES = [n.name for n in loaded().nodes]


@pytest.fixture
def vagrant(tmp_path, monkeypatch):
    """A `vagrant` that logs each call and answers as for machines in the states given; returns (set_states, calls)."""
    script = tmp_path / "bin" / "vagrant"
    script.parent.mkdir()
    states_file, calls = tmp_path / "states", tmp_path / "calls"
    script.write_text(f"""#!/bin/sh
echo "$1" >> {calls}
case "$1" in
  ssh-config) shift; for n in "$@"; do grep -q "^$n running" {states_file} || exit 1; done
              for n in "$@"; do printf 'Host %s\\n  HostName 127.0.0.1\\n' "$n"; done ;;
  status) while read n state; do printf '1,%s,provider-name,docker\\n1,%s,state,%s\\n' "$n" "$n" "$state"; done < {states_file} ;;
esac
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    dotfile = tmp_path / "dot"
    monkeypatch.setenv("VAGRANT_DOTFILE_PATH", str(dotfile))

    def set_states(**states):
        states_file.write_text("".join(f"{n} {states.get(n, 'running')}\n" for n in NODES))
        for n in NODES:
            if states.get(n, "running") != "not_created":
                (dotfile / "machines" / n / "docker").mkdir(parents=True, exist_ok=True)
                (dotfile / "machines" / n / "docker" / "id").write_text("c0ffee")

    return set_states, calls


def machines_shown(out):
    """{node: (state, provider)} from the view's first table."""
    rows = out.split("\n\n")[0].splitlines()[2:]
    return {cells[0]: (cells[1], cells[2]) for cells in (re.split(r"\s{2,}", row) for row in rows)}


def services_shown(out):
    """The nodes in the view's second table (node, service, state)."""
    return {re.split(r"\s{2,}", row)[0] for row in out.split("\n\n")[1].splitlines()[2:]}


class Host:
    def __init__(self, inactive):
        self.inactive = inactive

    def run(self, command):
        units = command.split()[2:]
        return type("Result", (), {"stdout": "\n".join("inactive" if u in self.inactive else "active" for u in units)})


@pytest.fixture
def lab_answers(monkeypatch):
    """Fake SSH hosts (units named in `inactive` are inactive), Prometheus' targets (`down`: jobs down) and whose lab
    it is (`foreign`: the sentence saying it is not this checkout's, None when it is)."""
    said = {"inactive": set(), "down": set(), "foreign": None}
    monkeypatch.setattr(ssh, "host", lambda name, config, sudo=False: Host(said["inactive"]))

    def active_targets(self):
        return [{"labels": {"job": t.job, "node": t.node, "instance": t.address}, "health": "down" if t.job in said["down"] else "up",
                 "lastScrape": "2026-11-27T10:00:00Z", "lastError": ""} for t in loaded().targets()]

    monkeypatch.setattr(status.Prometheus, "active_targets", active_targets)
    monkeypatch.setattr(status.identity, "foreign", lambda prometheus: said["foreign"])
    return said


def test_every_machine_running_takes_one_vagrant_call(vagrant, lab_answers, capsys):
    set_states, calls = vagrant
    set_states()
    assert status.report() is True
    assert calls.read_text().split() == ["ssh-config"]


def test_with_every_machine_running_the_providers_come_from_vagrants_records(vagrant, lab_answers, capsys):
    vagrant[0]()
    status.report()
    assert machines_shown(capsys.readouterr().out) == {n: ("running", "docker") for n in NODES}


def test_a_stopped_machine_is_shown_stopped_and_its_services_are_not_asked(vagrant, lab_answers, capsys):
    set_states, calls = vagrant
    set_states(node6="stopped")
    assert status.report() is False
    out = capsys.readouterr().out
    assert machines_shown(out)["node6"] == ("stopped", "docker") and "node6" not in services_shown(out)
    assert calls.read_text().split() == ["ssh-config", "status", "ssh-config"]


def test_a_machine_not_created_is_shown_so(vagrant, lab_answers, capsys):
    vagrant[0](node3="not_created")
    assert status.report() is False
    assert machines_shown(capsys.readouterr().out)["node3"][0] == "not created"


@pytest.mark.parametrize("broken", ["inactive", "down"])
def test_everything_is_up_only_when_every_service_is_active_and_every_target_up(vagrant, lab_answers, capsys, broken):
    vagrant[0]()
    lab_answers[broken].add("node_exporter" if broken == "inactive" else "node")
    assert status.report() is False
    assert "NOT everything is up" in capsys.readouterr().out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_another_checkouts_lab_is_said_in_one_sentence_and_not_shown_as_this_ones(vagrant, lab_answers, capsys,
                                                                                  monkeypatch, lang):
    vagrant[0]()
    monkeypatch.setenv("LAB_LANG", lang)
    lab_answers["foreign"] = {"en": "The Prometheus answering at X is not this checkout's lab.",
                              "fr": "Le Prometheus qui répond à X n'est pas le lab de cette copie."}
    assert status.report() is False
    out = capsys.readouterr().out
    assert lab_answers["foreign"][lang] in out, out
    assert "last scrape" not in out and "dernière collecte" not in out, "the other lab's targets are shown as this one's"


def test_the_view_is_in_french_under_lab_lang_fr(vagrant, lab_answers, capsys, monkeypatch):
    vagrant[0]()
    monkeypatch.setenv("LAB_LANG", "fr")
    assert status.report() is True
    out = capsys.readouterr().out
    assert "nœud" in out and "dernière collecte" in out and "tout fonctionne" in out and "everything" not in out, out
