"""Every case of teacher/cases.yaml judged on the real Prometheus engine over the exercises' data sets, without a lab:
this machine's Prometheus serves the data sets of the committed lab.yaml (and of examples/ha.yaml for exercise 13)
on 127.0.0.1, built as the lab builds them (provision/datasets.py, `promtool tsdb create-blocks-from openmetrics`).
A right answer is accepted, a wrong one refused saying what differs, each answer file's cases through the exercise's
own judge."""

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises import answers, cases, exercises, units
from exercises.base import Context
from provision import datasets, install
from scripts.datasets import missing_programs, serving, version
from tests import pristine

pytestmark = pytest.mark.skipif(bool(missing_programs()), reason=f"{' and '.join(missing_programs())} not installed on this "
                                "machine (Debian: apt-get install prometheus): the data sets need the real engine")
EXERCISES = exercises()
HERE = version() if not missing_programs() else "0.0.0"  # this machine's Prometheus


def _case(case):
    """A case as a parameter: skipped, saying why, when it needs a Prometheus 3 and this machine's is older."""
    if EXERCISES[case.number].prometheus3 and int(HERE.split(".")[0]) < 3:
        return pytest.param(case, marks=pytest.mark.skip(
            reason=f"exercise {case.number} needs Prometheus 3 and this machine's is {HERE} (Debian 12's package): its "
                   "cases are proven on forky's lab (make prove-exercises in .ci/run)"))
    return case


CASES = [c for c in cases.load() if not c.scripted]  # the scripted ones are proven on the lab (labtests)


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """serve(lab file) -> (lab, a Prometheus client of its data sets on 127.0.0.1), one server per lab file."""
    started = {}
    with contextlib.ExitStack() as stack:
        def serve_lab(relative):
            if relative not in started:
                lab = pristine.lab(relative)
                folder = tmp_path_factory.mktemp(relative.replace("/", "-"))
                started[relative] = (lab, stack.enter_context(serving(lab, folder)))
            return started[relative]
        yield serve_lab


def judged(serve, case, tmp_path):
    """The case's findings; an answer file's text read back from a file, as the check reads it (a BOM, line ends)."""
    lab, server = serve(EXERCISES[case.number].lab_file)  # the inventory it is written for (13: examples/ha.yaml)
    ctx = Context(lab, prometheus=None, datasets=server)
    answer = case.answer
    if case.file.endswith(".promql"):
        path = tmp_path / case.file
        path.write_bytes(answer.encode("utf-8"))
        answer, problems = answers.read_text(path, case.file)
        assert not problems
    return EXERCISES[case.number].judges[case.file](ctx, answer)


@pytest.mark.parametrize("case", [_case(c) for c in CASES if c.right], ids=lambda c: c.id)
def test_a_right_answer_is_accepted_on_every_data_set(serve, case, tmp_path):
    findings = judged(serve, case, tmp_path)
    assert all(f.done for f in findings), "\n".join(f.text.en for f in findings)


@pytest.mark.parametrize("case", [_case(c) for c in CASES if not c.right], ids=lambda c: c.id)
def test_a_wrong_answer_is_refused_saying_what_differs(serve, case, tmp_path):
    findings = judged(serve, case, tmp_path)
    refused = [f.text.en for f in findings if not f.done]
    assert refused, f"{case.answer!r} is accepted: " + "\n".join(f.text.en for f in findings)
    assert any(re.search(case.says, text) for text in refused), f"refused, but not saying /{case.says}/: {refused}"


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_every_exercise_has_four_wrong_and_three_right_cases(number):
    mine = [c for c in cases.load() if c.number == number]
    assert sum(not c.right for c in mine) >= 4 and sum(c.right for c in mine) >= 3, number


def test_every_script_of_the_teacher_is_a_case_and_every_case_a_script():
    named = {c.answer for c in cases.load() if c.scripted}
    teacher = cases.REPO / "teacher"
    scripts = {p.relative_to(cases.REPO).as_posix() for kind in ("solutions", "wrong") for p in (teacher / kind).glob("*.sh")}
    helpers = {"teacher/solutions/load.sh"}  # not a case: the guide's load, which the cases of exercise 10 use
    assert named == scripts - helpers


def test_every_case_names_an_answer_its_exercise_judges():
    unknown = {(c.number, c.file) for c in CASES if c.file not in EXERCISES[c.number].judges}
    assert not unknown, unknown


def test_the_french_message_of_a_refusal_keeps_the_query_words_and_french_typography(serve, tmp_path):
    case = next(c for c in CASES if c.number == 1 and not c.right)
    (finding,) = judged(serve, case, tmp_path)
    assert "\u202f:" in finding.text.fr and "jeu de données" in finding.text.fr


def test_the_data_sets_hold_a_le_label_as_the_major_stores_it():
    assert [datasets.le_text(b, 2) for b in (0.1, 1, 120)] == ["0.1", "1", "120"]
    assert [datasets.le_text(b, 3) for b in (0.1, 1, 120)] == ["0.1", "1.0", "120.0"]


def test_the_guest_builds_the_same_series_as_the_host():
    """The series depend on the lab and the major only (no clock, no randomness of the run)."""
    lab = pristine.lab()
    assert datasets.openmetrics(lab, 3) == datasets.openmetrics(lab, 3)
    assert install.ARCHES  # the module the guest imports beside it


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_teacher_notes_hold_what_the_check_says_to_each_mistake(serve, lang):
    from scripts import mistakes

    page = (pristine.REPO / "docs" / lang / "teacher.md").read_text()
    found = re.search(rf"<!-- mistakes: python3 -m scripts.mistakes {lang} -->\n(.*?)<!-- end of mistakes -->", page, re.S)
    assert found, f"docs/{lang}/teacher.md has no table of mistakes"
    # Each section is made with the Prometheus its numbers are of: the Prometheus 3 exercises' with a 3.x (their answers
    # do not run on a 2.x), the others' with Debian 12's 2.42, this machine's in CI (3.x rounds a few of their numbers
    # otherwise): a machine compares the sections of its own
    def keep(number):
        return EXERCISES[number].prometheus3 == (int(HERE.split(".")[0]) >= 3)
    expected = mistakes.table(lang, serve, keep)
    assert mistakes.kept(found.group(1), keep) == expected, \
        f"docs/{lang}/teacher.md's mistakes differ: paste `python3 -m scripts.mistakes {lang}` (run with a Prometheus 3)"


@pytest.mark.parametrize(("unit", "factor"), [(u.en, f) for u, f in units.BYTES_PER_SECOND.items()],
                         ids=[u.en for u in units.BYTES_PER_SECOND])
def test_the_network_answer_is_accepted_in_every_unit_of_its_dimension(serve, unit, factor):
    lab, server = serve("lab.yaml")
    expr = f"sum by (node) (rate(node_network_receive_bytes_total[1m])) / {factor!r}"
    findings = EXERCISES[3].judges["3-network.promql"](Context(lab, prometheus=None, datasets=server), expr)
    assert all(f.done for f in findings), f"{unit}: " + "\n".join(f.text.en for f in findings)


@pytest.mark.parametrize(("unit", "factor"), [(u.en, f) for u, f in units.BYTES.items()], ids=[u.en for u in units.BYTES])
def test_the_memory_answer_is_accepted_in_every_unit_of_its_dimension(serve, unit, factor):
    lab, server = serve("lab.yaml")
    expr = f"(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / {factor!r}"
    findings = EXERCISES[2].judges["2.promql"](Context(lab, prometheus=None, datasets=server), expr)
    assert all(f.done for f in findings), f"{unit}: " + "\n".join(f.text.en for f in findings)


# The Prometheus 3 exercises' right answers, spelt every way a student might: any window within the data sets' last
# half hour (their rates are steady there), rate() or increase() over the window, the name quoted or as __name__, the
# aggregation before or after, the unit of the answer. Generated, not listed: each spelling must give the same verdict.
needs_3 = pytest.mark.skipif(int(HERE.split(".")[0]) < 3, reason=f"this machine's Prometheus is {HERE}: the Prometheus 3 "
                             "exercises' answers run on a 3.x (CI's step with forky's Prometheus runs these)")
WINDOWS = st.sampled_from([60, 120, 300, 600, 900, 1200])
NAMES = st.sampled_from(['{"http.server.request.duration_seconds"%s}', '{__name__="http.server.request.duration_seconds"%s}'])


def _per_second(draw, selector):
    window = draw(WINDOWS)
    if draw(st.booleans()):
        return f"rate({selector}[{window}s])"
    return f"increase({selector}[{window // 60}m]) / {window}"


@st.composite
def routes_per_second(draw):
    selector = draw(NAMES) % ""
    inner = _per_second(draw, selector)
    return draw(st.sampled_from([f'sum by ("http.route") (histogram_count({inner}))',
                                 f'histogram_count(sum by ("http.route") ({inner}))',
                                 f'sum(histogram_count({inner})) by ("http.route")']))


@st.composite
def orders_p90(draw):
    selector = draw(NAMES) % draw(st.sampled_from([', "http.route"="/api/orders"', ', "http.route"=~"/api/orders"']))
    inner = f"histogram_quantile({draw(st.sampled_from(['0.9', '0.90', '9e-1', '.9']))}, sum({_per_second(draw, selector)}))"
    return draw(st.sampled_from([inner, f"1000 * {inner}", f"{inner} * 1e3"]))


@needs_3
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expr=routes_per_second())
def test_exercise_14_accepts_its_answer_spelt_any_way(serve, expr):
    lab, server = serve("lab.yaml")
    findings = EXERCISES[14].judges["14.promql"](Context(lab, prometheus=None, datasets=server), expr)
    assert all(f.done for f in findings), f"{expr}: " + "\n".join(f.text.en for f in findings)


@needs_3
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expr=orders_p90())
def test_exercise_15_accepts_its_answer_spelt_any_way(serve, expr):
    lab, server = serve("lab.yaml")
    findings = EXERCISES[15].judges["15.promql"](Context(lab, prometheus=None, datasets=server), expr)
    assert all(f.done for f in findings), f"{expr}: " + "\n".join(f.text.en for f in findings)


@needs_3
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phi=st.floats(0.01, 0.99).filter(lambda p: abs(p - 0.9) > 0.02))
def test_exercise_15_refuses_another_quantile_naming_it(serve, phi):
    lab, server = serve("lab.yaml")
    expr = f'histogram_quantile({phi!r}, sum(rate({{"http.server.request.duration_seconds", "http.route"="/api/orders"}}[5m])))'
    findings = EXERCISES[15].judges["15.promql"](Context(lab, prometheus=None, datasets=server), expr)
    assert not any(f.done for f in findings) and any(f"quantile {phi:g}" in f.text.en for f in findings), expr
