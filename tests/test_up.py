"""scripts/up.py: Vagrant's lines in, one line per node out (tests as data), and `make up`'s failure report."""

import io
import os
import stat

import pytest

from scripts import up

VAGRANT_NODE2 = """Bringing machine 'node2' up with 'docker' provider...
==> node2: Creating and configuring docker networks...
==> node2: Creating the container...
    node2:   Name: lab_node2_1795776996
==> node2: Starting container...
==> node2: Waiting for machine to boot. This may take a few minutes...
    node2: SSH address: 172.17.0.3:22
==> node2: Machine booted and ready!
==> node2: Running provisioner: promlab (shell)...
    node2: Running: /tmp/vagrant-shell20261127-31724-z2nmiy.sh
    node2: changed package prometheus-node-exporter: installed
    node2: ok      user node_exporter: exists
    node2: skip    role grafana: LAB_SKIP_ROLES names it
    node2: node2: 2 ok, 1 changed
""".splitlines(keepends=True)


def _board(names=("node1", "node2"), tty=False, expected=None):
    nodes = {n: up.Node(n, (expected or {}).get(n, 0)) for n in names}
    out = io.StringIO()
    return nodes, up.Board(nodes, out, tty=tty), out


def _feed(nodes, board, lines, start=100.0):
    for i, line in enumerate(lines):
        up.track(nodes, board, line, start + i)


@pytest.mark.parametrize("upto, phase", [(1, "waiting"), (3, "creating"), (6, "booting"), (8, "booted"),
                                         (9, "provisioning"), (14, "done")])
def test_node_phase_follows_vagrants_lines(upto, phase):
    nodes, board, _ = _board()
    _feed(nodes, board, VAGRANT_NODE2[:upto])
    assert nodes["node2"].phase == phase


def test_provisioning_counts_each_reported_step():
    nodes, board, _ = _board(expected={"node2": 9})
    _feed(nodes, board, VAGRANT_NODE2[:12])
    assert str(nodes["node2"]) == "node2: provisioning, step 3 of 9"


def test_step_total_is_left_out_when_unknown():
    nodes, board, _ = _board()
    _feed(nodes, board, VAGRANT_NODE2[:11])
    assert str(nodes["node2"]) == "node2: provisioning, step 2"


def test_done_says_how_long_and_how_many_steps():
    nodes, board, _ = _board()
    _feed(nodes, board, VAGRANT_NODE2)
    assert str(nodes["node2"]) == "node2: done in 12 s (3 steps)"


def test_a_nodes_time_splits_into_boot_and_provisioning():
    nodes, board, _ = _board()
    _feed(nodes, board, VAGRANT_NODE2)  # a line a second: the first at 101, provisioning at 108, done at 113
    assert nodes["node2"].seconds() == {"boot": 7.0, "provision": 5.0}


def test_away_from_a_terminal_a_line_is_printed_per_phase_not_per_step():
    nodes, board, out = _board()
    _feed(nodes, board, VAGRANT_NODE2)
    assert out.getvalue().splitlines() == ["node2: creating", "node2: booting", "node2: booted", "node2: provisioning, step 1",
                                           "node2: done in 12 s (3 steps)"]


def test_on_a_terminal_every_node_line_is_rewritten_in_place():
    nodes, board, out = _board(tty=True)
    _feed(nodes, board, VAGRANT_NODE2[:3])
    assert out.getvalue().count("\x1b[2F") == 1 and out.getvalue().endswith("\x1b[2Knode1: waiting\n\x1b[2Knode2: creating\n")


@pytest.mark.parametrize("line", ["==> node7: Creating the container...\n", "Bringing machine 'node2' up\n",
                                  "The container could not be started.\n"], ids=["unknown-node", "not-prefixed", "vagrant-error"])
def test_lines_about_no_node_of_the_lab_move_nothing(line):
    nodes, board, out = _board()
    _feed(nodes, board, [line])
    assert [n.phase for n in nodes.values()] == ["waiting", "waiting"] and out.getvalue() == ""


def test_a_node_already_up_is_finished():
    nodes, board, _ = _board()
    _feed(nodes, board, ["==> node1: Machine already provisioned. Run `vagrant provision` to force it.\n"])
    assert nodes["node1"].finished


def test_failure_report_shows_the_failing_nodes_last_lines_and_the_log():
    nodes, board, _ = _board()
    _feed(nodes, board, VAGRANT_NODE2[:11] + ["    node2: node2: FAILED  apt-get install prometheus-node-exporter failed\n"])
    report = up.failure_report(nodes, [])
    assert report[0] == "promlab: node2 stopped while failed; its last lines:"
    assert "  node2: FAILED  apt-get install prometheus-node-exporter failed" in report
    assert report[-1].startswith("promlab: Vagrant's full output: build/up.log")


def test_failure_before_any_node_shows_the_logs_last_lines():
    nodes, _, _ = _board()
    report = up.failure_report(nodes, ["The provider 'docker' could not be found."])
    assert report[:2] == ["promlab: `vagrant up` failed; its last lines:", "  The provider 'docker' could not be found."]


@pytest.fixture
def fake_vagrant(tmp_path, monkeypatch):
    """A `vagrant` on PATH that prints node2's lines of VAGRANT_NODE2 for every node of lab.yaml, then exits $RC."""
    script = tmp_path / "bin" / "vagrant"
    script.parent.mkdir()
    body = "".join(VAGRANT_NODE2).replace("node2", "$n")
    script.write_text(f"#!/bin/sh\nfor n in node1 node2 node3 node4 node5 node6; do cat <<EOF\n{body}EOF\ndone\nexit ${{RC:-0}}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("VERBOSE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LAB_FILE", raising=False)
    monkeypatch.setattr(up, "LOG", tmp_path / "up.log")
    monkeypatch.setattr(up, "STEPS", tmp_path / "up-steps.json")
    monkeypatch.setattr(up, "TIMES", tmp_path / "up-times.json")
    return tmp_path


def test_vagrants_whole_output_goes_to_the_log_and_one_line_per_phase_to_the_terminal(fake_vagrant, capsys):
    assert up.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (fake_vagrant / "up.log").read_text().count("Running provisioner") == 6
    assert any(line.startswith("node6: done in ") and line.endswith(" s (3 steps)") for line in out), out
    assert not any("Running:" in line for line in out)


def test_the_next_run_knows_each_nodes_step_count(fake_vagrant, capsys):
    up.main([])
    assert up.Node("node3", up._expected()["node3"]).expected == 3


def test_a_failed_up_exits_with_vagrants_status_and_says_where_the_log_is(fake_vagrant, capsys, monkeypatch):
    monkeypatch.setenv("RC", "1")
    assert up.main([]) == 1
    assert "Vagrant's full output" in capsys.readouterr().err
    assert not (fake_vagrant / "up-steps.json").exists()



@pytest.fixture
def given_image(fake_vagrant, monkeypatch):
    """The docker provider with LAB_DOCKER_IMAGE=promlab-node:offline; returns a setter of whether it signs in."""
    monkeypatch.setenv("VAGRANT_DEFAULT_PROVIDER", "docker")
    monkeypatch.setenv("LAB_DOCKER_IMAGE", "promlab-node:offline")
    return lambda trusted: monkeypatch.setattr(up.docker_image, "signs_in", lambda image: trusted and image == "promlab-node:offline")


def test_an_image_that_would_keep_vagrant_waiting_for_ssh_is_refused_before_vagrant_runs(given_image, fake_vagrant, capsys):
    given_image(False)
    assert up.main([]) == 2
    assert "LAB_DOCKER_IMAGE: the image promlab-node:offline" in capsys.readouterr().err
    assert not (fake_vagrant / "up.log").exists()


def test_an_image_trusting_the_checkouts_key_goes_up(given_image, capsys):
    given_image(True)
    assert up.main([]) == 0


@pytest.mark.parametrize(("lang", "words"), [("en", ["provisioning, step 1 of 3", "done in", "creating"]),
                                              ("fr", ["provisionnement, étape 1 sur 3", "fait en", "création"])])
def test_each_nodes_line_speaks_the_students_language(monkeypatch, lang, words):
    monkeypatch.setenv("LAB_LANG", lang)
    node = up.Node("node3", 3)
    node.phase = "provisioning"
    lines = [str(node)]
    node.phase, node.took, node.steps = "done", 12.0, 3
    lines.append(str(node))
    node.phase = "creating"
    lines.append(str(node))
    assert all(w in line for w, line in zip(words, lines)), lines
