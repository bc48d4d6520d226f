"""Proof of every exercise's check, on the running lab (`make prove-exercises`; opt-in, as it changes the
lab and lab.yaml, templates/ and answers/ for a while), case by case from teacher/cases.yaml:

- on the lab as the repository describes it, the check says "not done", in French and in English;
- each answer of the table (a query, a rule) is judged on the lab as on the engine alone (tests/test_grading.py):
  right ones accepted, wrong ones refused saying what the table says;
- after each scripted wrong attempt (teacher/wrong/NN-*.sh) it still says "not done", for the reason the table gives
  (polled until that reason shows: the attempt has taken effect);
- after each scripted right way (teacher/solutions/NN*.sh) it says "done"; then the exercise's reset brings it back
  to "not done".

Between cases the exercise's own reset runs, then whatever an attempt changed beyond it is put back from a
snapshot taken before. It refuses to start, naming them, when those files hold changes of the user's.
"""

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from exercises import cases, exercises
from labclient.ssh import run as on_node
from labtests.lab import LAB
from provision import inventory
from provision.waiting import until

REPO = inventory.REPO
TEACHER = REPO / "teacher"
TOUCHED = ("lab.yaml", "templates", "answers")  # and the inventory in use, when LAB_FILE names another
EXERCISES = exercises()
LAB_FILE = inventory.default_path().resolve()
OTHER_LAB = LAB_FILE != (REPO / "lab.yaml").resolve()
pytestmark = pytest.mark.exercise


def _marks(number):
    """Skipped, saying why, unless the running lab has the layout the exercise is written for."""
    exercise = EXERCISES[number]
    if exercise.fits(LAB):
        return []
    if exercise.prometheus3 and LAB.prometheus_release.major < 3:
        return [pytest.mark.skip(reason=f"exercise {number} needs Prometheus 3; this lab runs {LAB.prometheus_release.text()} "
                                        "(LAB_FILE=examples/forky.yaml runs it)")]
    wanted = exercise.lab_file
    return [pytest.mark.skip(reason=f"exercise {number} is written for {wanted}'s layout; this lab is {inventory.default_path()} "
                                    f"(LAB_FILE={wanted} runs it)")]


def _scripts(kind, number):
    return sorted((TEACHER / kind).glob(f"{number:02d}*.sh"))


CASES = cases.load()


def _wrong_cases():
    """Each scripted wrong attempt, on a start with the fault its exercise names for it (Exercise.proven_with), if any."""
    return [pytest.param(c.number, REPO / c.answer, (c.says, c.says_fr), fault, id=Path(c.answer).stem, marks=_marks(c.number))
            for c in CASES if c.scripted and not c.right
            for fault in EXERCISES[c.number].proven_with.get(Path(c.answer).stem, (None,))]


def _solution_cases():
    """Each scripted solution, once per kind of fault its exercise names for it, else once per kind its start makes."""
    return [pytest.param(c.number, REPO / c.answer, fault, id=f"{Path(c.answer).stem}{'-' + fault if fault else ''}",
                         marks=_marks(c.number))
            for c in CASES if c.scripted and c.right
            for fault in EXERCISES[c.number].proven_with.get(Path(c.answer).stem, EXERCISES[c.number].faults or (None,))]


TIMINGS = REPO / "build" / "exercise-check-seconds.json"


def _record(case, until_done, answer):
    """For the benchmark: seconds from a solution's end to its check passing (polling included), and one check's answer."""
    TIMINGS.parent.mkdir(exist_ok=True)
    found = json.loads(TIMINGS.read_text()) if TIMINGS.is_file() else {}
    found[case] = {"until_done": round(until_done, 1), "answer": round(answer, 1)}
    TIMINGS.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


def user_changes():
    """Files an exercise touches that differ from the last commit (the user's work, which the proof must not touch)."""
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *TOUCHED, *_lab_file()], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return [line[3:] for line in out.splitlines()]


def _lab_file():
    """The inventories in use besides lab.yaml (examples/forky.yaml, and what it extends): the exercises change the one
    that sets the value they ask for."""
    chain = [path for path, _ in inventory.chain(LAB_FILE)]
    return [p.relative_to(REPO).as_posix() for p in chain if p.is_relative_to(REPO) and p != (REPO / "lab.yaml").resolve()]


def snapshot():
    """{path: bytes} of lab.yaml (and the inventory in use) and every file under templates/ and answers/."""
    paths = [REPO / "lab.yaml", *(REPO / f for f in _lab_file())] + [p for d in TOUCHED[1:] for p in (REPO / d).rglob("*")
                                                                        if p.is_file()]
    return {p: p.read_bytes() for p in paths if p.is_file()}


def restore(before):
    """Put those files back as they were; remove files that appeared. True when something changed."""
    changed = False
    for path in snapshot().keys() - before.keys():
        path.unlink()
        changed = True
    for path, data in before.items():
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed = True
    return changed


PROGRESS = tempfile.mkdtemp(prefix="promlab-proof-progress-")  # the proofs' checks and hints: never the student's


def _env(fault=None):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", PROMLAB_PROGRESS=PROGRESS)
    if fault:
        env["PROMLAB_FAULT"] = fault
    return env


def run(*args, fault=None, timeout=600, input=None):
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=_env(fault), timeout=timeout, input=input)


def provision(node):
    """Provision a node as `vagrant provision` does, over SSH (no Vagrant to start)."""
    from labclient.check import provision as provision_node

    return provision_node(node)


def check(number, lang="en"):
    return run(sys.executable, "-m", "exercises", str(number), "--lang", lang)


def shown(proc):
    return f"(exit {proc.returncode})\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}"


@pytest.fixture(scope="module", autouse=True)
def users_work_is_not_at_stake():
    changed = user_changes()
    if changed:
        pytest.exit("refusing to prove the exercises: they would change files that hold changes of yours: "
                    f"{', '.join(changed)} (commit or move them first)", returncode=2)
    foreign = on_node(LAB.prometheus_node.name, "ls /etc/prometheus/rules").stdout.split()
    if set(foreign) - {"promlab.rules.yml"}:
        pytest.exit(f"refusing to prove the exercises: {LAB.prometheus_node.name} has rule files of yours: "
                    f"{', '.join(sorted(set(foreign) - {'promlab.rules.yml'}))}", returncode=2)


@contextlib.contextmanager
def at_start(number, fault=None, start=True):
    """The lab at the start of exercise `number` (its prerequisite done, started when it has a start and `start`
    says so); afterwards its reset, then a snapshot puts back what the case changed beyond it."""
    exercise = EXERCISES[number]
    before = snapshot()
    try:
        if exercise.builds_on:
            for script in [REPO / c.answer for c in CASES if c.number == exercise.builds_on and c.scripted and c.right][:1]:
                applied = run("sh", str(script))
                assert applied.returncode == 0, f"exercise {exercise.builds_on}'s solution failed: {shown(applied)}"
            until(lambda: check(exercise.builds_on), lambda p: p.returncode == 0, 120,
                     f"exercise {exercise.builds_on} done before exercise {number}")
        if exercise.start and start:
            started = run(sys.executable, "-m", "exercises", str(number), "start", fault=fault)
            assert started.returncode == 0, f"make exercise {number} start failed: {shown(started)}"
        yield number
    finally:
        for n in (number, exercise.builds_on):
            if n:
                undone = run(sys.executable, "-m", "exercises", "reset", str(n))
                assert undone.returncode == 0, f"the reset of exercise {n} failed: {shown(undone)}"
        if restore(before):
            provisioned = provision(LAB.prometheus_node.name)
            assert provisioned.returncode == 0, f"provisioning after the case failed: {shown(provisioned)}"


def _fault_wait(number):
    """Exercise 12 starts by breaking the lab: Prometheus must have seen it before the check is asked."""
    if EXERCISES[number].start:
        until(lambda: check(number), lambda p: "not healthy yet" in p.stdout, 120, "Prometheus seeing the fault")


@pytest.mark.parametrize("number", [pytest.param(n, marks=_marks(n), id=str(n)) for n in EXERCISES])
def test_check_says_not_done_on_a_fresh_lab(number):
    with at_start(number, (EXERCISES[number].faults or (None,))[0]):
        _fault_wait(number)
        for lang, words in (("fr", "PAS ENCORE FAIT"), ("en", "NOT DONE YET")):
            before = check(number, lang)
            assert before.returncode == 1, f"exercise {number} passes before it is done: {shown(before)}"
            assert "✘" in before.stdout and words in before.stdout, shown(before)


@pytest.mark.parametrize(("number", "script", "expect", "fault"), _wrong_cases())
def test_check_refuses_a_wrong_attempt_for_its_reason(number, script, expect, fault):
    with at_start(number, fault):
        _fault_wait(number)
        attempt = run("sh", str(script))
        assert attempt.returncode == 0, f"the wrong attempt itself failed: {shown(attempt)}"

        def refused(proc, words):
            assert proc.returncode != 0, f"exercise {number} accepts the wrong attempt {script.name}: {shown(proc)}"
            return proc.returncode == 1 and re.search(words, proc.stdout, re.S)

        until(lambda: check(number), lambda p: refused(p, expect[0]), 150,
                 f"exercise {number} refusing {script.name} saying /{expect[0]}/")
        # the same state, in French (polled too: a reload of Prometheus in between is no acceptance of either)
        until(lambda: check(number, "fr"), lambda p: refused(p, expect[1]), 60,
                 f"exercise {number} refusing {script.name} in French, saying /{expect[1]}/")


@pytest.mark.parametrize(("number", "script", "fault"), _solution_cases())
def test_solution_passes_and_the_reset_undoes_it(number, script, fault):
    with at_start(number, fault):
        _fault_wait(number)
        solution = run("sh", str(script))
        assert solution.returncode == 0, f"the solution {script.name} failed: {shown(solution)}"
        done_at = time.monotonic()
        after = until(lambda: check(number), lambda p: p.returncode == 0, 300, f"exercise {number} passing after {script.name}")
        until_done = time.monotonic() - done_at
        assert "✘" not in after.stdout and "DONE" in after.stdout, shown(after)
        asked_at = time.monotonic()
        assert check(number).returncode == 0
        _record(script.stem + (f"-{fault}" if fault else ""), until_done, time.monotonic() - asked_at)
        undone = run(sys.executable, "-m", "exercises", "reset", str(number))
        assert undone.returncode == 0, shown(undone)
        again = check(number)
        assert again.returncode == 1, f"exercise {number} still passes after its reset: {shown(again)}"



# --- The answers of the table, judged on the lab -----------------------------------------------------------------

RULE_TEST = (TEACHER / "9.test.yml").read_text()  # the solution's test of the rule in its own file


def _rules_file(kind, name, answer):
    expr = answer["expr"] if isinstance(answer, dict) else answer
    rule = {kind: name, "expr": expr} | ({"for": answer["for"]} if isinstance(answer, dict) else {})
    return yaml.safe_dump({"groups": [{"name": "proof", "rules": [rule]}]}, sort_keys=False)


def _put_rule(path, text):
    node = LAB.prometheus_node.name
    put = on_node(node, f"tee {path} >/dev/null && promtool check rules {path} >/dev/null && systemctl reload prometheus",
                  input=text)
    assert put.returncode == 0, shown(put)


def _give(case):
    """Put the table's answer where the student would: the answer file, or the rule file on the Prometheus node."""
    if case.file == "rule":
        _put_rule("/etc/prometheus/rules/recording.rules.yml", _rules_file("record", "node:memory_used:ratio", case.answer))
        (REPO / "answers").mkdir(exist_ok=True)
        (REPO / "answers" / "9.test.yml").write_text(RULE_TEST)
    elif case.file == "alert":
        _put_rule("/etc/prometheus/rules/load.rules.yml", _rules_file("alert", "HighLoad", case.answer))
    else:
        (REPO / "answers").mkdir(exist_ok=True)
        (REPO / "answers" / case.file).write_bytes(case.answer.encode("utf-8"))
        for other in EXERCISES[case.number].judges:  # exercise 3's other answer: a right one
            if other != case.file:
                first = next(c.answer for c in CASES if c.number == case.number and c.file == other and c.right)
                (REPO / "answers" / other).write_text(first)


def _judged_on_data(output, file):
    """The check's lines about the data sets, for one answer file when the exercise has several: (✔ lines, ✘ lines)."""
    lines, mine = [], not file.endswith(".promql")
    for line in output.splitlines():
        if f"answers/{file}" in line:
            mine = True
        elif "answers/" in line and ".promql" in line:
            mine = not file.endswith(".promql")
        if mine and "data set" in line:
            lines.append(line)
    return [line for line in lines if "✔" in line], [line for line in lines if "✘" in line]


def _answer_cases():
    return [pytest.param(c, id=c.id, marks=_marks(c.number)) for c in CASES if not c.scripted]


@pytest.mark.parametrize("case", _answer_cases())
def test_an_answer_of_the_table_is_judged_on_the_lab_as_on_the_engine(case):
    with at_start(case.number, start=False):  # judged on the data sets: no fault, no outage needed
        _give(case)

        def judged(proc):
            right, wrong = _judged_on_data(proc.stdout, case.file)
            if case.right:
                assert not wrong, f"exercise {case.number} refuses the right answer {case.answer!r}: {shown(proc)}"
                return bool(right)
            assert not right and proc.returncode != 0, f"exercise {case.number} accepts {case.answer!r}: {shown(proc)}"
            return re.search(case.says, proc.stdout, re.S)

        until(lambda: check(case.number), judged, 60, f"exercise {case.number} judging {case.answer!r} "
                 + ("right" if case.right else f"wrong, saying /{case.says}/"))


# A student's own work, belonging to no exercise (and one answer belonging to exercise 1).
MINE_RULES = "/etc/prometheus/rules/mine.rules.yml"
MINE = {
    "answers/mine.promql": "sum by (job) (up)  # my own\n",
    "answers/1.promql": "count by (job) (up == 1)  # planted by the test\n",
    "templates/dashboards/mine.json": '{"uid": "mine", "title": "Mine", "panels": []}\n',
}
MINE_JOB = '''  - job_name: mine
    static_configs:
      - targets: ["localhost:9090"]
        labels:
          node: node1
'''


def _plant():
    for path, text in MINE.items():
        (REPO / path).parent.mkdir(parents=True, exist_ok=True)
        (REPO / path).write_text(text)
    template = REPO / "templates" / "prometheus.yml.j2"
    end = "  # --- End of your own targets"
    template.write_text(template.read_text().replace(end, MINE_JOB + end))
    lab = REPO / "lab.yaml"
    lab.write_text(re.sub(r"^  cpu_busy_above: .*$", "  cpu_busy_above: 0.85  # mine", lab.read_text(), count=1, flags=re.M))
    rules = "groups:\n  - name: mine\n    rules:\n      - record: mine:up:count\n        expr: count(up)\n"
    planted = on_node(LAB.prometheus_node.name, f"tee {MINE_RULES} >/dev/null", input=rules)
    assert planted.returncode == 0, shown(planted)
    provisioned = provision(LAB.prometheus_node.name)
    assert provisioned.returncode == 0, shown(provisioned)


def _plant_silence():
    """A silence of the student's own, on an alert of theirs: no reset may expire it. Its id, or None without
    Alertmanager."""
    if not LAB.nodes_with("alertmanager"):
        return None
    from datetime import datetime, timedelta, timezone

    from labclient.alerting import alertmanager_url, api

    now = datetime.now(timezone.utc)
    body = {"matchers": [{"name": "alertname", "value": "MineDown", "isRegex": False, "isEqual": True}],
            "startsAt": now.isoformat(), "endsAt": (now + timedelta(hours=2)).isoformat(), "createdBy": "student",
            "comment": "my own alert, planted by the test"}
    reply = api("POST", f"{alertmanager_url()}/api/v2/silences", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()["silenceID"]


def _silence_state(silence):
    from labclient.alerting import alertmanager_url, api

    return api("GET", f"{alertmanager_url()}/api/v2/silence/{silence}").json()["status"]["state"]


def _planted_rules():
    return on_node(LAB.prometheus_node.name, f"cat {MINE_RULES}").stdout


@pytest.mark.skipif(OTHER_LAB, reason=f"LAB_FILE names {inventory.default_path()}: the planted work is written for lab.yaml")
def test_students_work_survives_make_test_and_every_reset():
    before, silence = snapshot(), None
    try:
        _plant()
        silence = _plant_silence()
        planted = snapshot()
        planted_rules = _planted_rules()
        assert "mine:up:count" in planted_rules

        def intact(after, belongs_to=None):
            now = snapshot()
            for path, data in planted.items():
                relative = path.relative_to(REPO).as_posix()
                if relative == "answers/1.promql" and belongs_to == 1:
                    copies = (REPO / ".promlab" / "backup").glob("*/answers/1.promql")
                    assert any(c.read_bytes() == data for c in copies), f"{after} removed answers/1.promql without a copy"
                    continue
                assert now.get(path) == data, f"{after} changed or removed {relative}, the student's work"
            assert _planted_rules() == planted_rules, f"{after} changed or removed {MINE_RULES} on {LAB.prometheus_node.name}"
            assert silence is None or _silence_state(silence) == "active", f"{after} expired the student's silence {silence}"

        tests = run(sys.executable, "-m", "pytest", "labtests", "-m", "not drill", "-q", "-p", "no:cacheprovider", "--tb=line")
        intact(f"the labtests (make test's second part; exit {tests.returncode})")
        # The labtests accept what a student may add (their own targets, jobs, rule files and groups, dashboards).
        assert tests.returncode == 0, f"the labtests fail with a student's work in place: {shown(tests)}"
        for number in EXERCISES:
            undone = run(sys.executable, "-m", "exercises", "reset", str(number))
            assert undone.returncode == 0, shown(undone)
            intact(f"make reset-exercise {number}", belongs_to=number)
            if number == 1:
                (REPO / "answers" / "1.promql").write_bytes(planted[REPO / "answers" / "1.promql"])
    finally:
        if silence:
            from labclient.alerting import alertmanager_url, api

            api("DELETE", f"{alertmanager_url()}/api/v2/silence/{silence}")
        on_node(LAB.prometheus_node.name, f"rm -f {MINE_RULES}")
        restore(before)
        provision(LAB.prometheus_node.name)
