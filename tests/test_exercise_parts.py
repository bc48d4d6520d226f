"""The exercises' parts that need no lab: what a reset removes from a student's file (and nothing else), the
copies it keeps, how answers are compared, what the dashboard and silence checks accept, and that a lab that
does not answer gets one sentence, not a traceback."""

import json
import subprocess
import sys

import pytest

from exercises import answers, ex10_alert, ex11_dashboard, rules
from exercises.base import done, missing, say
from exercises.workspace import Workspace, drop_items, drop_keys, items_holding
from provision import inventory

REPO = inventory.REPO
OWN = (r"--- Your own targets", r"--- End of your own targets")
# The shape of templates/prometheus.yml.j2's own section (fixed here: the real file is the student's to edit).
END = "  # --- End of your own targets ---\n"
TEMPLATE = '''scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["192.168.56.16:9100"]

  # --- Your own targets ---
  # - job_name: my_exporter
  #   static_configs:
  #     - targets: ["192.168.56.13:9256"]
''' + END
PROCESS = '''  - job_name: process
    static_configs:
      - targets: ["192.168.56.16:9256"]
        labels:
          node: node6
'''
RELABEL = '''    relabel_configs:
    - source_labels: [__address__]
      regex: '.*:(\\d+)'
      target_label: port

    metric_relabel_configs:
      - {source_labels: [__name__], regex: 'go_.*', action: drop}
'''
MINE = '''  - job_name: mine   # the student's own
    static_configs:
      - targets: ["192.168.56.15:9100"]
'''


def with_jobs(*jobs):
    return TEMPLATE.replace(END, "".join(jobs) + END)


def test_removing_the_exercise_job_keeps_the_students_own_job_byte_for_byte():
    text = with_jobs(PROCESS + RELABEL, "\n", MINE)
    assert drop_items(text, r"\s*- job_name: process\s*$", within=OWN) == with_jobs("\n", MINE)


def test_removing_the_relabeling_keeps_the_job_and_the_students_own_job():
    text = with_jobs(PROCESS + RELABEL, MINE)
    assert drop_keys(text, r"\s*- job_name: process\s*$", ["relabel_configs", "metric_relabel_configs"], within=OWN) \
        == with_jobs(PROCESS, MINE)


def test_the_commented_example_is_never_taken_for_a_job():
    assert items_holding(with_jobs(MINE), "192.168.56.13:9256", r"\s*- job_name:", within=OWN) == []


@pytest.mark.parametrize("before", [PROCESS, "  - job_name: other\n    static_configs:\n      - targets: ['192.168.56.16:9256']\n"])
def test_the_job_holding_an_address_is_found_whatever_its_name(before):
    assert len(items_holding(with_jobs(before, MINE), "192.168.56.16:9256", r"\s*- job_name:", within=OWN)) == 1


RULES = '''groups:
  - name: promlab-targets
    rules:
      - alert: InstanceDown
        expr: up == 0
'''
RECORDING = '''
  - name: workshop
    rules:
      - record: node:memory_used:ratio
        expr: 1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes
'''


def test_removing_the_exercise_rule_from_the_template_restores_it_exactly():
    assert rules._drop_empty_groups(drop_items(RULES + RECORDING, r"\s*- record: node:memory_used:ratio\s*$")) == RULES


def test_a_group_that_keeps_another_rule_of_the_student_stays():
    mine = "      - record: mine:up:count\n        expr: count(up)\n"
    text = rules._drop_empty_groups(drop_items(RULES + RECORDING + mine, r"\s*- record: node:memory_used:ratio\s*$"))
    assert "mine:up:count" in text and "name: workshop" in text and "node:memory_used" not in text


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "answers").mkdir()
    said = []
    return Workspace("en", out=said.append, repo=tmp_path), said


def test_a_removed_answer_is_kept_under_backup_and_said(workspace):
    ws, said = workspace
    (ws.repo / "answers" / "1.promql").write_text("up\n")
    ws.remove("answers/1.promql")
    copies = list((ws.repo / ".promlab" / "backup").glob("*/answers/1.promql"))
    assert not (ws.repo / "answers" / "1.promql").exists() and [c.read_text() for c in copies] == ["up\n"]
    assert any("removes answers/1.promql" in line for line in said)


def test_two_resets_in_the_same_second_keep_both_copies(tmp_path):
    for text in ("first\n", "second\n"):
        (tmp_path / "lab.yaml").write_text(text)
        Workspace("en", out=lambda _: None, repo=tmp_path).rewrite("lab.yaml", lambda t: "reset\n")
    assert sorted(p.read_text() for p in tmp_path.glob(".promlab/backup/*/lab.yaml")) == ["first\n", "second\n"]


def test_a_rewrite_that_changes_nothing_keeps_no_copy_and_says_nothing(workspace):
    ws, said = workspace
    (ws.repo / "lab.yaml").write_text("same\n")
    assert ws.rewrite("lab.yaml", lambda t: t) is False
    assert not (ws.repo / ".promlab").exists() and said == []


# --- Answers: any unit a person would use, one per node ------------------------------------------------

TRUTH = {"node2": 300 * 2**20, "node3": 200 * 2**20}


@pytest.mark.parametrize(("student", "unit"), [
    ({"node2": 300.0, "node3": 200.0}, "MiB"),
    ({"node2": 300 * 2**20, "node3": 200 * 2**20}, "bytes"),
    ({"node2": 300 / 1024, "node3": 200 / 1024}, "GiB"),
    ({"node2": 314.5728, "node3": 209.7152}, "MB"),
])
def test_memory_in_any_unit_is_recognised(student, unit):
    assert answers.scale_of(student, TRUTH, answers.BYTES).en == unit


@pytest.mark.parametrize("student", [{"node2": 300.0, "node3": 300.0}, {"node2": 300.0, "node3": 200 * 2**20}])
def test_a_wrong_value_or_mixed_units_are_not_recognised(student):
    assert answers.scale_of(student, TRUTH, answers.BYTES) is None


class FakeContext:
    def exporter_nodes(self):
        return ["node2", "node3"]

    def targets(self):  # what Prometheus scrapes now
        return [{"labels": {"job": job, "instance": f"192.168.56.{n}:9100"}} for job in ("node", "mine") for n in (12, 13)]


def series(node, value, **labels):
    return {"metric": {"node": node, **labels}, "value": [0, str(value)]} if node else {"metric": labels, "value": [0, str(value)]}


@pytest.mark.parametrize(("result", "says"), [
    ([series("node2", 1), series("node2", 2, cpu="1"), series("node3", 1)], "several series per node (node2)"),
    ([series("node2", 1)], "nodes are missing: node3"),
    ([series(None, 1)], "without a node label"),
])
def test_per_node_answers_say_what_is_wrong(result, says):
    values, problems = answers.by_node(FakeContext(), result)
    assert values is None and says in problems[0].text.en


def test_series_of_a_job_prometheus_no_longer_scrapes_are_not_the_answer():
    """A job removed since (a wrong attempt's) leaves its series for the 5-minute lookback, with another value."""
    lingering = series("node2", 0.9, job="more", instance="192.168.56.12:9100")
    values, problems = answers.by_node(FakeContext(), [series("node2", 1, job="node", instance="192.168.56.12:9100"), lingering,
                                                        series("node3", 2, job="node", instance="192.168.56.13:9100")])
    assert problems == [] and values == {"node2": 1.0, "node3": 2.0}


def test_a_node_scraped_twice_with_equal_values_counts_once():
    values, problems = answers.by_node(FakeContext(), [series("node2", 1, job="node"), series("node2", 1, job="mine"),
                                                        series("node3", 2)])
    assert problems == [] and values == {"node2": 1.0, "node3": 2.0}


# --- Silences and dashboards -----------------------------------------------------------------------------

@pytest.mark.parametrize(("matchers", "exact"), [
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False, "isEqual": True}], True),
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False}, {"name": "node", "value": "node3", "isRegex": False}], True),
    ([{"name": "alertname", "value": ".+", "isRegex": True}], False),
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False, "isEqual": False}], False),
    ([{"name": "severity", "value": "warning", "isRegex": False}], False),
])
def test_only_a_silence_naming_the_alert_counts(matchers, exact):
    assert ex10_alert._silences_the_alert({"matchers": matchers}) is exact


DS = {"type": "prometheus", "uid": "promlab-prometheus"}


def board(**extra):
    panel = {"type": "timeseries", "datasource": DS, "targets": [{"expr": "node_load1", "datasource": DS}]}
    return dict({"uid": "workshop", "panels": [panel]}, **extra)


def problems(b):
    return [p.en for p in ex11_dashboard._file_problems(b, json.dumps(b), "promlab-prometheus")]


def test_a_dashboard_with_rows_and_a_datasource_variable_is_accepted():
    inner = {"type": "timeseries", "datasource": {"uid": "${ds}"}, "targets": [{"expr": 'node_load1{node=~"$node"}'}]}
    b = {"uid": "mine", "panels": [{"type": "row", "collapsed": True, "panels": [inner]}],
         "templating": {"list": [{"name": "ds", "type": "datasource"}, {"name": "node", "current": {"value": ["node2", "node3"]}}]}}
    assert problems(b) == []
    assert ex11_dashboard._fill(inner["targets"][0]["expr"], ex11_dashboard._variables(b), "node2") == 'node_load1{node=~"node2|node3"}'


@pytest.mark.parametrize(("b", "says"), [
    (board(uid="promlab-nodes"), "already nodes.json's"),
    (board(uid=None), "no fixed uid"),
    (json.loads(json.dumps(board()).replace("promlab-prometheus", "${DS_PROMETHEUS}")), "${DS_"),
    (json.loads(json.dumps(board()).replace("node_load1", "up")), "no panel shows the load"),
])
def test_a_dashboard_shortcut_is_refused_saying_why(b, says):
    assert any(says in p for p in problems(b))


@pytest.mark.parametrize("make", [say, lambda fr, en: done(fr, en).text, lambda fr, en: missing(fr, en).text])
def test_french_sentences_get_narrow_no_break_spaces(make):
    assert make("le résultat : 3 ; « oui » ?", "").fr == "le résultat\u202f: 3\u202f; «\u202foui\u202f»\u202f?"


# --- The command line ---------------------------------------------------------------------------------------

def test_a_lab_that_does_not_answer_gets_one_sentence_and_exit_3(tmp_path):
    down = REPO / "build" / "lab-down.yaml"
    down.parent.mkdir(exist_ok=True)
    down.write_text((REPO / "lab.yaml").read_text().replace("host: 9090", "host: 59990"))
    try:
        env = {"LAB_FILE": str(down), "PATH": "/usr/bin:/bin", "LAB_LANG": "en"}
        proc = subprocess.run([sys.executable, "-m", "exercises", "10"], cwd=REPO, capture_output=True, text=True, env=env)
    finally:
        down.unlink()
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    assert "does not answer" in proc.stderr and "make up" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_an_invalid_lab_file_gets_its_message_not_a_traceback(tmp_path):
    bad = REPO / "build" / "lab-bad.yaml"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text("lab: [\n")
    try:
        proc = subprocess.run([sys.executable, "-m", "exercises", "1"], cwd=REPO, capture_output=True, text=True,
                              env={"LAB_FILE": str(bad), "PATH": "/usr/bin:/bin"})
    finally:
        bad.unlink()
    assert proc.returncode == 3 and "Traceback" not in proc.stderr and "lab-bad.yaml" in proc.stderr, proc.stderr


def test_exercise_13_on_the_one_prometheus_lab_says_which_lab_it_needs():
    from exercises import ex13_replica
    from exercises.base import Context

    lab = inventory.load(REPO / "lab.yaml", env={})
    (finding,) = ex13_replica.check(Context(lab, prometheus=None))
    assert not finding.done and "LAB_FILE=examples/ha.yaml" in finding.text("en") and "LAB_FILE=examples/ha.yaml" in finding.text("fr")


@pytest.mark.parametrize("query", ['up{job="prometheus", node="node2"} == 0', 'up{instance="192.168.56.12:9090"} == 0'])
def test_exercise_13_refuses_a_query_that_names_todays_replica(query, tmp_path, monkeypatch):
    from exercises import ex13_replica

    monkeypatch.setattr(ex13_replica, "REPO", tmp_path)
    (tmp_path / "answers").mkdir()
    (tmp_path / ex13_replica.QUERY).write_text(query + "\n")
    lab = inventory.load(REPO / "examples" / "ha.yaml", env={})
    (finding,) = ex13_replica._query_findings(None, lab, {"seen": 0, "started": 0}, "node2")
    assert not finding.done and "names a node" in finding.text("en")


class QuietContext:
    """Exercise 10's view of the last half hour: node2 and node3 up at every scrape; the rule's expression true at
    every scrape but the ones in `quiet` (node, scrape numbers)."""

    at, lab = 1800.0 * 15, type("Lab", (), {"scrape_interval": "15s"})

    def __init__(self, quiet):
        self.quiet = quiet

    def exporter_nodes(self):
        return ["node2", "node3"]

    def query_range(self, expr, start, end, step):
        ticks = range(round(start / step), round(end / step) + 1)
        skip = (lambda node, tick: False) if expr.startswith("up{") else (lambda node, tick: tick - ticks[0] in self.quiet.get(node, ()))
        return [{"metric": {"node": node}, "values": [[tick * step, "1"] for tick in ticks if not skip(node, tick)]}
                for node in ("node2", "node3")]


@pytest.mark.parametrize(("quiet", "at_rest"), [
    ({}, False),  # always true: the shortcut
    ({"node2": [40]}, False),  # one scrape of node2 without the metric (its exporter starting) is no rest
    ({"node2": [40, 41, 42], "node3": [43]}, False),  # three in a row on one node, one on another: still no rest
    ({"node3": [40, 41, 42, 43]}, True),  # quiet a whole minute on node3: a threshold an idle node stays under
    ({"node2": range(0, 121)}, True),
])
def test_exercise_10_counts_a_node_at_rest_only_when_quiet_for_a_minute_in_a_row(quiet, at_rest):
    assert ex10_alert._quiet_somewhere(QuietContext(quiet), "node_load1 > 0.8") is at_rest
