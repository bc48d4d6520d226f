"""scripts/labtest.py: make labtest's three parts, the lanes side by side, the fast tests beside the drills, and its exit
status (tests as data)."""

import os
import subprocess
import sys

import pytest

from labclient import faults
from provision import inventory
from scripts import labtest
from tests.collected import in_order, selected


@pytest.fixture(autouse=True)
def no_fast_tests_for_real(monkeypatch):
    """No test here starts the real fast tests in the background: beside the fast tests, the deadlines would be judged
    on a busy machine, and they take a minute. A test that forgets its stand-ins gets a command that fails."""
    for name in ("DEADLINE_TESTS", "FAST_TESTS"):
        monkeypatch.setattr(labtest, name, [sys.executable, "-c", f"raise SystemExit('{name} started by a fast test')"])


def test_by_default_the_lab_as_it_is_comes_first_then_the_whole_lab_drills_then_the_lanes():
    first, whole, lanes = labtest.plan(["-k", "node3"])
    assert first.args == ["labtests", "-m", "not drill and not lane", "-k", "node3"] and first.lanes == []
    assert whole.args == ["labtests", "-m", "drill and not lane", "-k", "node3"]
    assert (whole.lanes, whole.option) == (["configuration", "load", "memory"], "--beside")
    assert lanes.args == ["labtests", "-m", "lane", "-k", "node3"] and (lanes.lanes, lanes.option) == (faults.lanes(), "--lane")


def test_a_lab_with_replicas_or_a_cluster_runs_its_whole_lab_drills_one_after_another():
    assert faults.whole_lab_lanes(inventory.load(inventory.REPO / "examples" / "ha.yaml")) == []


def test_the_fast_tests_may_run_beside_the_drills_only():
    assert [part.beside for part in labtest.plan([])] == [False, True, True]


def test_only_drills_leaves_out_what_is_not_a_drill():
    assert [part.args for part in labtest.plan([], only_drills=True)] == [["labtests", "-m", "drill and not lane"],
                                                                          ["labtests", "-m", "lane"]]


def test_drills_0_runs_everything_else_in_one_part():
    assert labtest.plan(["-x"], drills=False) == [("labtests without the drills", ["labtests", "-m", "not drill", "-x"], [],
                                                   False, "--lane")]


@pytest.mark.parametrize("args", [["-m", "not drill"], ["-mdrill"]])
def test_a_marker_expression_of_ones_own_is_one_run_as_asked(args):
    assert labtest.plan(args) == [("labtests", ["labtests", *args], [], False, "--lane")]


def test_files_named_take_the_place_of_the_folder_in_every_part():
    first, whole, lanes = labtest.plan(["labtests/test_ha.py", "-q", "labtests/test_drills.py"])
    assert first.args == ["labtests/test_ha.py", "labtests/test_drills.py", "-m", "not drill and not lane", "-q"]
    assert whole.args == ["labtests/test_ha.py", "labtests/test_drills.py", "-m", "drill and not lane", "-q"]
    assert lanes.args == ["labtests/test_ha.py", "labtests/test_drills.py", "-m", "lane", "-q"]


def test_the_lanes_are_the_exporter_nodes_of_lab_yaml():
    assert faults.lanes() == ["node2", "node3", "node4", "node5", "node6"]


@pytest.mark.parametrize(("index", "node"), [(0, "node2"), (1, "node3"), (-1, "node6"), (5, "node2")])
def test_a_drill_strikes_the_node_at_its_place_wrapping_round(index, node):
    assert faults.strike(index).name == node


def test_the_default_victim_stays_node3():
    assert faults.victim().name == "node3"


def _parts(monkeypatch, *codes, beside=()):
    """A run over parts whose pytest exits with these codes, the fast tests allowed beside the parts `beside`; returns
    (exit status, parts run, the part before which the fast tests started, or None)."""
    ran, started = [], []

    def call(cmd, cwd):
        ran.append(cmd)
        return codes[len(ran) - 1]

    monkeypatch.setattr(labtest, "call", call)
    parts = [labtest.Part(f"part {i}", [f"p{i}"], beside=i in beside) for i in range(len(codes))]
    status = labtest.run(parts, beside=lambda: started.append(len(ran)))
    return status, len(ran), (started[0] if started else None)


@pytest.mark.parametrize(("codes", "status", "ran"), [
    ((0, 0), 0, 2),
    ((0, 5), 0, 2),  # a part selecting nothing is fine when another ran tests
    ((5, 5), 5, 2),  # nothing at all was run: say so
    ((1, 0), 1, 1),  # a failing part stops the run, its status is the run's
    ((0, 2), 2, 2),
])
def test_exit_status_of_the_parts(monkeypatch, codes, status, ran):
    assert _parts(monkeypatch, *codes)[:2] == (status, ran)


@pytest.mark.parametrize(("beside", "started"), [((1, 2), 1), ((2,), 2), ((), None), ((0, 1, 2), 0)])
def test_the_fast_tests_start_once_before_the_first_part_they_may_run_beside(monkeypatch, beside, started):
    assert _parts(monkeypatch, 0, 0, 0, beside=beside)[2] == started


def test_the_fast_tests_do_not_start_when_the_labtests_fail_before_the_drills(monkeypatch):
    assert _parts(monkeypatch, 1, 0, 0, beside=(1, 2)) == (1, 1, None)


def test_a_failure_said_before_the_fast_tests_start_stops_the_run_there(monkeypatch):
    monkeypatch.setattr(labtest, "call", lambda cmd, cwd: pytest.fail(f"{cmd} ran"))
    assert labtest.run([labtest.Part("drills", ["p"], beside=True)], beside=lambda: 3) == 3


def _lanes(results, capsys):
    def runner(args, name, option):
        code, output = results[name]
        return name, code, output

    status = labtest.run_lanes(["-m", "lane"], list(results), runner=runner)
    return status, capsys.readouterr().out


def test_every_lane_runs_and_a_failing_lane_shows_its_whole_output(capsys):
    status, out = _lanes({"node2": (0, "....\nSKIPPED [1] why\n== 4 passed =="),
                          "node3": (1, "F...\ndetails of the failure\n== 1 failed =="),
                          "node4": (5, "== 3 deselected ==")}, capsys)
    assert status == 1
    assert "--- lane node2: ok\nSKIPPED [1] why\n== 4 passed ==" in out and "...." not in out.split("lane node3")[0]
    assert "--- lane node3: failed\nF...\ndetails of the failure\n== 1 failed ==" in out
    assert "--- lane node4: ok" in out


@pytest.mark.parametrize(("codes", "status"), [((0, 5), 0), ((5, 5), 5), ((0, 3), 3)])
def test_exit_status_of_the_lanes(codes, status, capsys):
    assert _lanes({f"node{i}": (c, "x") for i, c in enumerate(codes)}, capsys)[0] == status


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    return selected(tmp_path_factory)


@pytest.fixture(scope="module")
def lanes_collected(collected):
    return {name: collected[f"lane {name}"] for name in faults.lanes()}


def test_each_lane_holds_only_the_drills_of_its_node(lanes_collected):
    for name, ids in lanes_collected.items():
        assert ids, f"lane {name} is empty"
        strangers = [i for i in ids if any(f"[{other}-" in i for other in lanes_collected if other != name)]
        assert not strangers, f"lane {name} holds drills of other nodes: {strangers}"


def test_the_lanes_share_no_drill_and_leave_none_out(collected, lanes_collected):
    seen = [i for ids in lanes_collected.values() for i in ids]
    assert len(seen) == len(set(seen)) and set(seen) == collected["lane"]


@pytest.fixture(scope="module")
def whole_lab_collected(collected):
    return {name: collected[f"beside {name}"] for name in faults.WHOLE_LAB_LANES}


def test_the_lanes_of_the_whole_lab_drills_share_no_drill_and_leave_none_out(collected, whole_lab_collected):
    seen = [i for ids in whole_lab_collected.values() for i in ids]
    assert len(seen) == len(set(seen)) and set(seen) == collected["whole lab"]


@pytest.mark.parametrize("name", faults.WHOLE_LAB_LANES[1:])
def test_a_lane_beside_the_configuration_drills_holds_only_a_drill_of_a_nodes_resources(whole_lab_collected, name):
    assert [i.split("::")[0] for i in whole_lab_collected[name]] == ["labtests/test_node_resources.py"]


RELOADS = "test_target_missing_from_the_config_fails_the_suite"  # reloads Prometheus, which then drops alerts for 5 s
AWAITS = "test_stopped_exporter_is_noticed_alerted_received_and_resolved"  # awaits the notifications of an alert


def test_the_drill_reloading_prometheus_runs_before_the_one_awaiting_notifications_in_its_lane(tmp_path_factory):
    lanes = {name: [i.split("::")[1].split("[")[0] for i in ids]
             for name, ids in in_order(tmp_path_factory).items() if name.startswith("lane ")}
    reloading = [name for name, tests in lanes.items() if RELOADS in tests]
    assert reloading and all(AWAITS in lanes[name] and lanes[name].index(RELOADS) < lanes[name].index(AWAITS)
                             for name in reloading), f"the lanes, in order: {lanes}"


def test_the_first_part_holds_no_lane_drill(collected):
    assert collected["not lane"] and collected["lane"]
    assert not collected["not lane"] & collected["lane"]


def test_the_shared_ssh_config_leaves_no_folder_behind_when_the_lab_is_not_up(monkeypatch, tmp_path):
    monkeypatch.delenv("LAB_SSH_CONFIG", raising=False)
    monkeypatch.setattr(labtest.tempfile, "tempdir", str(tmp_path))

    def not_up(path, names):
        raise labtest.ssh.NotUp("node1: not created")

    monkeypatch.setattr(labtest.ssh, "write_config", not_up)
    assert labtest.shared_ssh_config() is None and list(tmp_path.iterdir()) == []


_start_fast_tests = labtest.start_fast_tests


def _fast(code, said, title="the fast tests, run beside the labtests"):
    return _start_fast_tests([sys.executable, "-c", f"print({said!r}); raise SystemExit({code})"], title)


def test_fast_tests_that_pass_show_their_last_line_only(capsys):
    assert labtest.fast_tests_result(_fast(0, "collected\n2412 passed")) == 0
    assert capsys.readouterr().out.splitlines() == ["=== the fast tests, run beside the labtests: ok", "2412 passed"]


def test_fast_tests_that_fail_show_everything_they_said(capsys):
    assert labtest.fast_tests_result(_fast(1, "FAILED tests/test_x.py::test_y\n1 failed")) == 1
    assert capsys.readouterr().out.splitlines() == ["=== the fast tests, run beside the labtests: failed",
                                                    "FAILED tests/test_x.py::test_y", "1 failed"]


def _main(monkeypatch, argv, labtests=0, deadlines=0, fast=0, drills=None):
    """labtest.main(argv) with every part's pytest exiting `labtests`, the deadlines `deadlines`, the other fast tests
    `fast`; (its status, what happened in order)."""
    order = []
    if drills is not None:
        monkeypatch.setenv("DRILLS", drills)
    monkeypatch.setattr(labtest, "shared_ssh_config", lambda: None)

    def call(command, cwd):
        order.append("deadlines alone" if command == labtest.DEADLINE_TESTS else command[-1])
        return deadlines if command == labtest.DEADLINE_TESTS else labtests

    def started(what, code):
        def start():
            order.append(what)
            return _fast(code, what, what)
        return start

    monkeypatch.setattr(labtest, "call", call)
    monkeypatch.setattr(labtest, "run_lanes", lambda args, names, option: order.append(f"lanes {option}") or labtests)
    monkeypatch.setattr(labtest, "start_deadline_tests", started("deadlines beside", deadlines))
    monkeypatch.setattr(labtest, "start_fast_tests", started("fast tests", fast))
    return labtest.main(argv), order


PARTS = ["not drill and not lane", "lanes --beside", "lanes --lane"]


def test_with_fast_tests_the_deadlines_run_beside_the_first_part_and_the_others_beside_the_drills(monkeypatch):
    assert _main(monkeypatch, ["--with-fast-tests"]) == (0, ["deadlines beside", PARTS[0], "fast tests", *PARTS[1:]])


NO_FIRST_PART = pytest.mark.parametrize(("argv", "drills"), [(["--with-fast-tests", "--drills"], None), (["--with-fast-tests"], "0")],
                                        ids=["only-drills", "no-drills"])


@NO_FIRST_PART
def test_with_no_first_part_to_run_beside_the_deadlines_run_first_alone(monkeypatch, argv, drills):
    status, order = _main(monkeypatch, argv, drills=drills)
    assert status == 0 and order[0] == "deadlines alone" and "deadlines beside" not in order


@NO_FIRST_PART
def test_deadlines_failing_alone_stop_the_run_there(monkeypatch, argv, drills):
    assert _main(monkeypatch, argv, deadlines=1, drills=drills) == (1, ["deadlines alone"])


def test_deadlines_failing_beside_the_first_part_stop_the_run_before_the_drills(monkeypatch, capsys):
    assert _main(monkeypatch, ["--with-fast-tests"], deadlines=1) == (1, ["deadlines beside", PARTS[0]])
    out = capsys.readouterr().out
    assert "=== deadlines beside: failed" in out and "=== the fast tests: not run" in out


@pytest.mark.parametrize(("labtests", "deadlines", "fast", "status"),
                         [(0, 0, 0, 0), (0, 0, 1, 1), (1, 0, 0, 1), (2, 1, 0, 2), (0, 3, 0, 3), (5, 0, 1, 1), (5, 0, 0, 5)],
                         ids=["all-pass", "fast-fail", "labtests-fail", "labtests-and-deadlines-fail-labtests-first",
                              "deadlines-fail", "no-labtest-fast-fail", "no-labtest"])
def test_with_fast_tests_the_exit_status_is_the_first_failure(monkeypatch, capsys, labtests, deadlines, fast, status):
    assert _main(monkeypatch, ["--with-fast-tests"], labtests=labtests, deadlines=deadlines, fast=fast)[0] == status


def test_labtests_failing_in_the_first_part_still_show_the_deadlines_beside_them(monkeypatch, capsys):
    assert _main(monkeypatch, ["--with-fast-tests"], labtests=1) == (1, ["deadlines beside", PARTS[0]])
    out = capsys.readouterr().out
    assert "=== deadlines beside: ok" in out and "=== the fast tests: not run" in out


def test_with_fast_tests_the_labtests_get_no_such_argument(monkeypatch):
    seen = []
    monkeypatch.setattr(labtest, "call", lambda command, cwd: 0)
    monkeypatch.setattr(labtest, "shared_ssh_config", lambda: None)
    # neither the deadlines nor the other fast tests for real (they ran here once, beside the fast tests: a minute)
    monkeypatch.setattr(labtest, "start_deadline_tests", lambda: _fast(0, "deadlines"))
    monkeypatch.setattr(labtest, "start_fast_tests", lambda: _fast(0, "fast tests"))
    monkeypatch.setattr(labtest, "run", lambda parts, beside: seen.append(parts) or 0)
    assert labtest.main(["--with-fast-tests", "-x"]) == 0
    assert all("--with-fast-tests" not in part.args and "-x" in part.args for part in seen[0])


def test_the_tests_of_a_service_s_deadlines_under_attack_are_marked_to_run_alone():
    collect = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "deadlines",
               "tests/test_alert_receiver.py", "tests/test_classroom_attacks.py"]
    found = subprocess.run(collect, cwd=inventory.REPO, capture_output=True, text=True).stdout
    assert "tests/test_alert_receiver.py::test_a_connection_past_the_bound_in_all_is_closed_at_once" in found
    assert "tests/test_classroom_attacks.py::test_an_attack_leaves_the_classroom_small_and_alive[half-requests]" in found


def _niceness(nicer):
    background = _start_fast_tests([sys.executable, "-c", "import os; print(os.nice(0))"], "niceness", nicer=nicer)
    assert background.process.wait() == 0
    background.log.seek(0)
    return int(background.log.read())


def test_the_fast_tests_beside_the_drills_run_at_a_lower_priority_than_the_lab():
    assert _niceness(True) == min(os.nice(0) + labtest.NICER, 19)


def test_the_deadlines_run_at_the_lab_s_priority():
    assert _niceness(False) == os.nice(0)
