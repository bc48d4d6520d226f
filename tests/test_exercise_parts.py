"""The exercises' parts that need no lab: the copies a reset keeps, how an answer is read and echoed, what the
dashboard and silence checks accept, and that a lab that does not answer gets one sentence, not a traceback."""

import shutil
import subprocess
import sys

import pytest

from exercises import answers, ex07_by_hand, ex10_alert, ex12_troubleshoot, exercises, silences
from exercises.base import done, missing, say
from exercises.workspace import Workspace
from labclient import faults as labfaults
from labclient.prom import Unreachable
from provision import inventory
from tests import pristine

REPO = inventory.REPO


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


# --- Answers: read as Prometheus reads them, echoed as written -------------------------------------------------

@pytest.mark.parametrize("data", [b"\xff\xfeu\x00p\x00", "up\n".encode("latin-1") + b"\xe9"])
def test_an_answer_that_is_not_utf8_is_named_not_a_traceback(tmp_path, data):
    path = tmp_path / "1.promql"
    path.write_bytes(data)
    text, (finding,) = answers.read_text(path, "answers/1.promql")
    assert text is None and not finding.done and "not UTF-8" in finding.text.en


def test_a_bom_an_editor_adds_is_not_part_of_the_query(tmp_path):
    path = tmp_path / "1.promql"
    path.write_bytes("\ufeffsum by (job) (up)\n".encode())
    assert answers.read_text(path, "answers/1.promql")[0] == "sum by (job) (up)\n"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n  # and another\n"])
def test_an_answer_of_comments_only_is_empty(text):
    assert answers.is_empty(text)


@pytest.mark.parametrize("text", ["up", "# a comment\nup", 'up{job="#not a comment"}'])
def test_an_answer_with_a_query_is_not_empty(text):
    assert not answers.is_empty(text)


def test_the_french_echo_keeps_the_students_query_exactly_as_written():
    query = 'up{job!="node"} != 1  # mine: ok?'
    text = answers.echo("answers/1.promql", query)
    assert text.fr.endswith(query) and text.en.endswith(query) and text.fr.startswith("answers/1.promql\u202f:")


def test_a_reset_keeps_a_copy_of_an_answer_that_is_not_utf8(tmp_path):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "1.promql").write_bytes(b"up\xff\n")
    Workspace("en", out=lambda _: None, repo=tmp_path).remove("answers/1.promql")
    assert [c.read_bytes() for c in tmp_path.glob(".promlab/backup/*/answers/1.promql")] == [b"up\xff\n"]


# --- Silences and dashboards -----------------------------------------------------------------------------

class _RulesOnly:
    """What exercise 10's silence judge asks of the lab: the loaded rules, and the Alertmanager node."""

    def __init__(self):
        self.lab = pristine.lab("lab.yaml")

    def api(self, path):
        assert path == "rules"
        rules = [{"type": "alerting", "name": "HighLoad"}, {"type": "alerting", "name": "InstanceDown",
                                                            "labels": {"severity": "critical"}}, {"type": "recording", "name": "x"}]
        return {"groups": [{"rules": rules}]}


def _on_this_machine(node, command, check=False, input=None):
    return subprocess.run(["bash"], input=command, capture_output=True, text=True, check=check)


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool is not installed on this machine (Debian: apt-get install "
                    "prometheus-alertmanager): silences are judged by Alertmanager's own matching")
@pytest.mark.parametrize(("matchers", "says"), [
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False, "isEqual": True}], None),
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False}, {"name": "node", "value": "node3", "isRegex": False}], None),
    ([{"name": "alertname", "value": "High.*", "isRegex": True}], None),
    ([{"name": "alertname", "value": "InstanceDown", "isRegex": True, "isEqual": False}], None),
    ([{"name": "alertname", "value": ".+", "isRegex": True}], "also silences InstanceDown on node3"),
    ([{"name": "node", "value": "node3", "isRegex": False}], "also silences InstanceDown on node3"),
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False, "isEqual": False}], "no active silence silences"),
    ([{"name": "alertname", "value": "High", "isRegex": True}], "no active silence silences"),
    ([{"name": "alertname", "value": "HighLoad", "isRegex": False}, {"name": "node", "value": "node4", "isRegex": False}],
     "no active silence silences"),
])
def test_a_silence_counts_by_what_it_silences(monkeypatch, matchers, says):
    monkeypatch.setattr(silences, "on_node", _on_this_machine)
    fired = [{"alertname": "HighLoad", "node": "node3", "job": "node", "severity": "warning"}]
    finding = ex10_alert._judge_silences(_RulesOnly(), [{"matchers": matchers, "endsAt": "2026-12-06T18:00:00Z"}], fired)
    assert finding.done is (says is None), finding.text.en
    assert says is None or says in finding.text.en


@pytest.mark.parametrize("make", [say, lambda fr, en: done(fr, en).text, lambda fr, en: missing(fr, en).text])
def test_french_sentences_get_narrow_no_break_spaces(make):
    assert make("le résultat : 3 ; « oui » ?", "").fr == "le résultat\u202f: 3\u202f; «\u202foui\u202f»\u202f?"


# --- The command line ---------------------------------------------------------------------------------------

def test_a_lab_that_does_not_answer_gets_one_sentence_and_exit_3(tmp_path):
    down = REPO / "build" / "lab-down.yaml"
    down.parent.mkdir(exist_ok=True)
    down.write_text(pristine.text("lab.yaml").replace("host: 9090", "host: 59990"))
    try:
        env = {"LAB_FILE": str(down), "PATH": "/usr/bin:/bin", "LAB_LANG": "en"}
        proc = subprocess.run([sys.executable, "-m", "exercises", "10"], cwd=REPO, capture_output=True, text=True, env=env)
    finally:
        down.unlink()
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    assert "does not answer" in proc.stderr and "make up" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("number", ["²", "9" * 5000, "١", "３", "-1", "0x3", " 3"],
                         ids=["superscript", "five-thousand-digits", "arabic-indic", "fullwidth", "negative", "hex", "space"])
def test_a_number_that_is_not_an_exercise_gets_the_list_not_a_traceback(number):
    proc = subprocess.run([sys.executable, "-m", "exercises", number], cwd=REPO, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LAB_LANG": "en"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and f"1 to {max(exercises())}" in proc.stderr, proc.stderr[-300:]


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

    lab = pristine.lab()
    (finding,) = ex13_replica.check(Context(lab, prometheus=None))
    assert not finding.done and "LAB_FILE=examples/ha.yaml" in finding.text("en") and "LAB_FILE=examples/ha.yaml" in finding.text("fr")


class _Series:
    """What exercise 7's judge of an exporter's kind asks: every target's metric names (one query)."""

    def __init__(self, targets):
        self.lab = pristine.lab("lab.yaml")
        self.by_target = targets

    def query(self, expr):
        assert expr == 'group by (__name__, job, instance) ({job=~".+"})'
        gone = {("process-exporter", "192.168.56.16:9256"): ["namedprocess_namegroup_num_procs"]}  # a job removed just now
        return [{"metric": {"__name__": name, "job": job, "instance": instance}}
                for (job, instance), names in {**self.by_target, **gone}.items() for name in names]

    def active_targets(self):
        return [{"labels": {"job": job, "instance": instance}} for job, instance in self.by_target]


NODE = ["node_cpu_seconds_total", "node_load1", "go_goroutines", "process_cpu_seconds_total", "up"]
LAB = {("node", "192.168.56.12:9100"): NODE, ("prometheus", "localhost:9090"): ["prometheus_build_info", "go_goroutines"]}


@pytest.mark.parametrize(("theirs", "done"), [
    (NODE, False),  # another node_exporter
    (["node_systemd_unit_state", "node_textfile_scrape_error", "node_load1"], False),  # with collectors the lab's lacks
    (["node_load1", "go_goroutines", "promhttp_metric_handler_requests_total"], False),
    (["go_goroutines", "process_open_fds", "up"], False),  # only what every exporter has
    (["namedprocess_namegroup_num_procs", "go_goroutines"], True),
    (["node_load1", "mysql_up"], True),  # a kind the lab lacks, beside a name it has
])
def test_a_new_exporter_brings_a_kind_of_metrics_the_lab_did_not_have(monkeypatch, theirs, done):
    monkeypatch.setattr(ex07_by_hand, "written", lambda lab: {("mine", "192.168.56.16:9999")})
    ctx = _Series({**LAB, ("mine", "192.168.56.16:9999"): theirs})
    finding = ex07_by_hand._new_kind(ctx, {"labels": {"job": "mine", "instance": "192.168.56.16:9999"}})
    assert finding.done is done, finding.text.en


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_diagnosis_form_the_start_writes_reads_as_empty_fields(tmp_path, lang):
    path = tmp_path / "12.yaml"
    path.write_text(ex12_troubleshoot.SKELETON[lang])
    form, problems = ex12_troubleshoot.read_diagnosis(path)
    assert problems == [] and form == {"node": None, "cause": None, "query": None}


FAULT = labfaults.Fault("stopped", "node3", "node3", "systemctl stop node_exporter", seen='up{job="node", node="node3"} == 0')
T0 = 1_800_000_000


class _History:
    """A lab's answers to exercise 12's query judge: the fault seen from T0+60 to T0+300, and what the student's query
    returned at each 15 s step (range) and returns now (instant)."""

    lab = pristine.lab("lab.yaml")
    at = T0 + 600

    def __init__(self, during, now):
        self.during, self.now = during, now

    def query_range(self, expr, start, end, step):
        def series(node, times):
            return {"metric": {"node": node} if node else {}, "values": [[t, "0"] for t in times]}
        fault = range(T0 + 60, T0 + 301, 15)
        if expr == FAULT.seen:
            return [series("node3", fault)]
        return [series(node, fault) for node in self.during]

    def query(self, expr):
        return [{"metric": {"node": node}, "value": [self.at, "1"]} for node in self.now]


@pytest.mark.parametrize(("during", "now", "says"), [
    (["node3"], [], None),  # the symptom: the node hit while it held, nothing once healthy
    ([], [], "did not return the node hit"),
    (["node3", "node4"], [], "also returned node4"),
    (["node3"], ["node3"], "names the node instead of showing the symptom"),
    ([None], [], "no node label"),
])
def test_the_diagnosis_query_must_show_the_symptom_on_the_node_hit_alone(during, now, says):
    finding = ex12_troubleshoot._judge_query(_History(during, now), FAULT, {"started": T0}, "up == 0", healthy=True)
    assert finding.done is (says is None), finding.text.en
    assert says is None or says in finding.text.en


@pytest.mark.parametrize(("node", "cause", "says"), [
    ("node3", "stopped", None),
    ("node4", "stopped", "is not the node the fault was on"),
    ("node3", "route", "is not what happened"),
    ("node3", "stopped or route", "must name one of the causes"),
    (["node3", "node4"], "stopped", "names one node"),
    ("node3", None, "must name one of the causes"),
])
def test_the_diagnosis_names_the_node_and_the_one_cause_made(node, cause, says):
    ctx = _History([], [])
    findings = [ex12_troubleshoot._judge_node(ctx, FAULT, node), ex12_troubleshoot._judge_cause(FAULT, cause)]
    refused = [f.text.en for f in findings if not f.done]
    assert (refused == []) is (says is None), refused
    assert says is None or any(says in text for text in refused)


HIGH = {"alertname": "HighLoad", "node": "node3"}
RECEIVER = [{"name": "lab-receiver"}]


def _alert(at, labels=HIGH, receivers=RECEIVER):
    return {"labels": labels, "startsAt": at, "status": "firing", "receivers": receivers}


@pytest.mark.parametrize(("told", "held", "reached"), [
    ([_alert("2026-12-06T10:05:00.123Z")], [], True),  # notified in this attempt
    ([_alert("2026-12-06T09:00:00Z")], [], False),  # only an earlier attempt's notification
    ([_alert("2026-12-06T09:00:00Z")], [_alert("2026-12-06T10:05:00Z")], True),  # fired again, not repeated before 4 h
    ([], [_alert("2026-12-06T10:05:00Z")], False),  # held, but the receiver was never told of it
    ([_alert("2026-12-06T09:00:00Z")], [_alert("2026-12-06T10:05:00Z", receivers=[{"name": "elsewhere"}])], False),
    ([_alert("2026-12-06T09:00:00Z", labels={"alertname": "HighLoad", "node": "node4"})], [_alert("2026-12-06T10:05:00Z")],
     False),  # the receiver was told of another node's
])
def test_the_alert_reached_the_receiver_in_this_attempt(told, held, reached):
    since = ex10_alert._seconds("2026-12-06T10:00:00Z")
    assert bool(ex10_alert._reached(told, held, since)) is reached


@pytest.fixture
def lab():
    return inventory.load(REPO / "lab.yaml", env={})


class _Silent:
    """A Prometheus client that cannot reach its server (or, answering=True, only its data sets' twin is down)."""

    def __init__(self, url, answering=False):
        self.url, self.answering = url, answering

    def version(self):
        if not self.answering:
            raise Unreachable(self.url)
        return "3.5.3"

    def query(self, *args, **kwargs):
        raise Unreachable(self.url)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_with_no_lab_at_all_a_check_on_the_data_sets_says_make_up(lab, lang):
    from exercises.base import Context, LabUnreachable

    ctx = Context(lab, _Silent("http://127.0.0.1:9090"), datasets=_Silent("http://192.168.56.11:9099"))
    with pytest.raises(LabUnreachable) as said:
        ctx.on_datasets("query", "up")
    assert "make up" in said.value.text(lang) and "provision" not in said.value.text(lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_data_sets_down_beside_a_lab_that_answers_say_to_provision_their_node(lab, lang):
    from exercises.base import Context, LabUnreachable

    ctx = Context(lab, _Silent("http://127.0.0.1:9090", answering=True), datasets=_Silent("http://192.168.56.11:9099"))
    with pytest.raises(LabUnreachable) as said:
        ctx.on_datasets("query", "up")
    assert f"vagrant provision {lab.prometheus_node.name}" in said.value.text(lang)


def test_the_students_answer_shown_back_is_marked_neither_done_nor_refused(tmp_path, monkeypatch):
    from exercises.__main__ import mark

    monkeypatch.setattr(answers, "ANSWERS", tmp_path)
    (tmp_path / "3-cpu.promql").write_text("sum(rate(node_cpu_seconds_total[1m]")
    _, found = answers.read("3-cpu.promql")
    assert [mark(f) for f in found] == ["→"]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("words", "named"), [(["99"], "99"), (["x"], "x"), (["²"], "²"), (["1", "foo"], "foo"),
                                              (["3", "reset"], "reset"), (["reset"], "1")])
def test_a_wrong_argument_gets_one_sentence_naming_it_and_what_is_allowed(words, named, lang):
    env = {"PATH": "/usr/bin:/bin", "LAB_LANG": lang}
    proc = subprocess.run([sys.executable, "-m", "exercises", *words], cwd=REPO, capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and not proc.stdout and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert named in proc.stderr and "make " in proc.stderr, proc.stderr
