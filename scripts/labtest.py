"""make labtest (and make drill): the labtests against the running lab, in three parts.

1. The tests that leave the lab as it is.
2. The drills that need the whole lab to themselves (no node broken), in lanes side by side
   (labclient.faults.whole_lab_lanes, `--beside LANE`): those that change the lab's configuration one after another,
   beside them each drill of one node's resources (pytest mark `beside`); in a lab with Prometheus replicas or an
   Alertmanager cluster, all of them one after another.
3. The drills that break one node each (pytest mark `lane`, labclient.faults.lanes): each node's drills one after
   another in a pytest of its own (`--lane NODE`), the nodes side by side. No drill of one lane breaks what another
   lane looks at, so a proof can neither fail nor pass because of another lane's fault.

Arguments go to pytest in every part (`-k node3`, `-x`, ...); labtest files named (`labtests/test_ha.py`) take the place
of the whole folder in each. With a `-m` of your own, one run as you asked,
everything one after another. `--drills`: only the drills. DRILLS=0: no drills.
A lane's whole output is shown when it fails, its last lines otherwise. Exit status: the first failing part's;
a part or lane that selects no test (pytest's 5) is no failure when another ran some.

`--with-fast-tests` (make test): the fast tests beside the labtests, their output kept in a file and shown once they
are done (their last line, or all of it when they fail). Those of real-time deadlines (`make test-deadlines`) beside
the first part, which asks the lab one thing after another and leaves the processors mostly idle; the others (`make
test-fast-others`, no lab) once the deadlines are done, beside the drills, at a lower priority than the lab's (the
drills measure a node's processor). The drills mostly wait on Prometheus (a scrape, an alert's `for`, a
notification), the fast tests on their processor; the tests of the first part slowed by half beside the others.
Without a first part of that kind (`--drills`, DRILLS=0), the deadlines first with nothing beside them.
"""

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from labclient import faults, ssh
from labclient.lab import loaded
from provision import inventory

NO_TESTS = 5  # pytest's exit status when it selects no test


def own_marker_expression(args):
    return any(a == "-m" or (a.startswith("-m") and not a.startswith("--")) for a in args)


def chosen_files(args):
    """The labtests the arguments name (labtests/test_x.py, labtests/test_x.py::test_y), else the whole folder; the
    other arguments."""
    files = [a for a in args if a.startswith("labtests/")]
    return files or ["labtests"], [a for a in args if a not in files]


class Part(NamedTuple):
    """A part of a run: its title, pytest's arguments, its lanes side by side (names; none: one pytest), whether the
    fast tests may run beside it (it waits on Prometheus more than it computes), and the option telling a lane's pytest
    its lane."""

    title: str
    args: list
    lanes: list = []
    beside: bool = False
    option: str = "--lane"


def plan(args, drills=True, only_drills=False):
    """The parts, in their order: what leaves the lab as it is, the drills that need it whole, then the lanes."""
    where, args = chosen_files(args)
    if own_marker_expression(args):
        return [Part("labtests", [*where, *args])]
    if not drills:
        return [Part("labtests without the drills", [*where, "-m", "not drill", *args])]
    side = faults.whole_lab_lanes()
    whole = [Part("labtests, part 2 of 3: the drills that need the whole lab, " + (
                  "those of its configuration one after another, those of a node's resources beside them" if side else
                  "one after another"), [*where, "-m", "drill and not lane", *args], side, beside=True, option="--beside"),
             Part("labtests, part 3 of 3: the drills that break one node each, the nodes side by side",
                  [*where, "-m", "lane", *args], faults.lanes(), beside=True)]
    if only_drills:
        return whole
    return [Part("labtests, part 1 of 3: what leaves the lab as it is", [*where, "-m", "not drill and not lane", *args]),
            *whole]


def pytest(args):
    return [sys.executable, "-m", "pytest", *args]


def run_lane(args, name, option="--lane"):
    proc = subprocess.run(pytest([*args, option, name, "-p", "no:cacheprovider"]), cwd=inventory.REPO,
                          capture_output=True, text=True)
    return name, proc.returncode, proc.stdout + proc.stderr


def summary(output):
    """What a lane that passed shows: its skip reasons and its last line."""
    lines = output.rstrip().splitlines()
    return [line for line in lines if line.startswith("SKIPPED")] + lines[-1:]


def combined(codes):
    """One exit status for parts or lanes: the first failure's; else pytest's 5 when every one selected no test; else 0."""
    failed = [c for c in codes if c not in (0, NO_TESTS)]
    return failed[0] if failed else (NO_TESTS if codes and all(c == NO_TESTS for c in codes) else 0)


def run_lanes(args, names, option="--lane", runner=run_lane):
    """Every lane at once (`option` telling each pytest its lane); each lane's result printed as it ends; their combined
    exit status."""
    codes = []
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        for name, code, output in pool.map(lambda n: runner(args, n, option), names):
            codes.append(code)
            shown = output.rstrip().splitlines() if code not in (0, NO_TESTS) else summary(output)
            print(f"--- lane {name}: " + ("failed" if code not in (0, NO_TESTS) else "ok"), *shown, sep="\n", flush=True)
    return combined(codes)


def shared_ssh_config():
    """Vagrant's ssh-config written once for every pytest of this run (labtests/conftest.py reads it); None when the
    lab is not up (each pytest then says so)."""
    if os.environ.get(ssh.SHARED_CONFIG):
        return None
    folder = tempfile.mkdtemp(prefix="promlab-ssh-")
    try:
        return ssh.write_config(os.path.join(folder, "ssh_config"), [n.name for n in loaded().nodes])
    except ssh.NotUp:
        os.rmdir(folder)
        return None


call = subprocess.call  # how a part's pytest runs (tests put their own here)


def run(parts, lanes=None, beside=lambda: 0):
    """Each part in its order, `beside()` called once before the first part the fast tests may run beside (a status
    other than 0 stops the run there); the combined exit status (a failing part stops the run)."""
    codes, started = [], False
    for title, args, names, may, option in parts:
        if may and not started:
            started = True
            code = beside()
            if code:
                return code
        print(f"=== {title}", flush=True)
        code = (lanes or run_lanes)(args, names, option) if names else call(pytest(args), cwd=inventory.REPO)
        if code not in (0, NO_TESTS):
            return code
        codes.append(code)
    return combined(codes)


# The fast tests of real-time deadlines (a service under attack) beside the first part alone: those labtests ask the lab
# one thing after another and leave the processors mostly idle (beside them, the deadlines' four workers took 49 s
# instead of 40 to 46, and every deadline held). The other fast tests beside the drills, never beside the deadlines:
# beside both the labtests and the other fast tests, the services under attack took over 3 s to accept a connection,
# and their tests failed.
DEADLINE_TESTS = ["make", "--no-print-directory", "test-deadlines"]
FAST_TESTS = ["make", "--no-print-directory", "test-fast-others"]


# How much less the fast tests beside the drills weigh for the processor's scheduler than the lab's nodes (nice(1)'s
# 10: a tenth of the weight). They share the host's processors, and the drills measure a node's: at the same priority,
# a CI run's load drill saw its busy node at 39 % of its processor.
NICER = 10


def lower_priority():
    """In the child before it runs: its priority NICER lower (where the system has priorities)."""
    if hasattr(os, "nice"):
        os.nice(NICER)


class Background(NamedTuple):
    """Fast tests running in the background: their title, process, and the temporary file holding their output."""

    title: str
    process: subprocess.Popen
    log: object


def start_fast_tests(command=None, title="the fast tests, run beside the labtests", nicer=True):
    """Fast tests started in the background (`command`, else FAST_TESTS; at a lower priority than the lab's, unless
    `nicer` is False), their output in a temporary file."""
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(command or FAST_TESTS, cwd=inventory.REPO, stdout=log, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lower_priority if nicer else None)
    return Background(title, process, log)


def start_deadline_tests():
    return start_fast_tests(DEADLINE_TESTS, "the fast tests of deadlines, run beside the first part", nicer=False)


def fast_tests_result(background):
    """Wait for fast tests started in the background; print their last line, or everything they said when they failed;
    their status."""
    code = background.process.wait()
    background.log.seek(0)
    lines = background.log.read().rstrip().splitlines()
    background.log.close()
    print(f"=== {background.title}: " + ("ok" if code == 0 else "failed"), flush=True)
    print(*(lines if code != 0 else lines[-1:]), sep="\n", flush=True)
    return code


def deadlines_beside(parts):
    """Whether the deadlines may run beside the first part: it is not one the other fast tests may run beside, and one
    comes later (before it, the deadlines end)."""
    return bool(parts) and not parts[0].beside and any(part.beside for part in parts)


class Beside:
    """The fast tests a run starts beside its labtests: the deadlines beside the first part (when `deadlines` says so),
    then the others (when `others` says so), started once the deadlines are done."""

    def __init__(self, deadlines, others):
        self.deadlines = start_deadline_tests() if deadlines else None
        self.wanted, self.others = others, None

    def deadlines_result(self):
        """The deadlines' status once they are done: 0 when none ran beside, or when it was already told."""
        background, self.deadlines = self.deadlines, None
        return fast_tests_result(background) if background else 0

    def start_others(self):
        """Before the first part the other fast tests may run beside: the deadlines' end, then those fast tests started
        if the deadlines held; the deadlines' status."""
        code = self.deadlines_result()
        if code == 0 and self.wanted:
            self.others = start_fast_tests()
        return code

    def others_result(self):
        return fast_tests_result(self.others) if self.others else 0


def main(argv):
    only_drills, with_fast = "--drills" in argv, "--with-fast-tests" in argv
    args = [a for a in argv if a not in ("--drills", "--with-fast-tests")]
    parts = plan(args, drills=os.environ.get("DRILLS", "1") != "0", only_drills=only_drills)
    beside_first = with_fast and deadlines_beside(parts)
    if with_fast and not beside_first:
        print("=== the fast tests of deadlines, with nothing beside them", flush=True)
        deadlines = call(DEADLINE_TESTS, cwd=inventory.REPO)
        if deadlines != 0:
            return deadlines
    config = shared_ssh_config()  # before any fast test starts: their `vagrant validate` runs would meet Vagrant's lock
    if config:
        os.environ[ssh.SHARED_CONFIG] = config
    beside = Beside(deadlines=beside_first, others=with_fast)
    if with_fast and not any(part.beside for part in parts):
        beside.start_others()  # no drill to run beside: from the start
    try:
        code = run(parts, beside=beside.start_others)
    finally:
        if config:
            os.remove(config)
            os.rmdir(os.path.dirname(config))
        deadline_code, fast_code = beside.deadlines_result(), beside.others_result()
    if with_fast and not beside.others:
        print("=== the fast tests: not run, the labtests or the deadlines failed before the drills (make test-fast-others "
              "runs them)", flush=True)
    return next((c for c in (code, deadline_code, fast_code) if c not in (0, NO_TESTS)), code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
