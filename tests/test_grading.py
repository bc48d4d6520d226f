"""Every case of teacher/cases.yaml judged on the real Prometheus engine over the exercises' data sets, without a lab:
this machine's Prometheus serves the data sets of the committed lab.yaml (and of examples/ha.yaml for exercise 13)
on 127.0.0.1, built as the lab builds them (provision/datasets.py, `promtool tsdb create-blocks-from openmetrics`).
A right answer is accepted, a wrong one refused saying what differs, each answer file's cases through the exercise's
own judge."""

import contextlib
import re

import pytest

from exercises import answers, cases, exercises, units
from exercises.base import Context
from provision import datasets, install
from scripts.datasets import missing_programs, serving
from tests import pristine

pytestmark = pytest.mark.skipif(bool(missing_programs()), reason=f"{' and '.join(missing_programs())} not installed on this "
                                "machine (Debian: apt-get install prometheus): the data sets need the real engine")
CASES = [c for c in cases.load() if not c.scripted]  # the scripted ones are proven on the lab (labtests)
EXERCISES = exercises()
HA = {13}  # the exercises written for examples/ha.yaml


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
    lab, server = serve("examples/ha.yaml" if case.number in HA else "lab.yaml")
    ctx = Context(lab, prometheus=None, datasets=server)
    answer = case.answer
    if case.file.endswith(".promql"):
        path = tmp_path / case.file
        path.write_bytes(answer.encode("utf-8"))
        answer, problems = answers.read_text(path, case.file)
        assert not problems
    return EXERCISES[case.number].judges[case.file](ctx, answer)


@pytest.mark.parametrize("case", [c for c in CASES if c.right], ids=lambda c: c.id)
def test_a_right_answer_is_accepted_on_every_data_set(serve, case, tmp_path):
    findings = judged(serve, case, tmp_path)
    assert all(f.done for f in findings), "\n".join(f.text.en for f in findings)


@pytest.mark.parametrize("case", [c for c in CASES if not c.right], ids=lambda c: c.id)
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
    expected = mistakes.table(lang, serve)
    assert found.group(1) == expected, f"docs/{lang}/teacher.md's mistakes differ: paste `python3 -m scripts.mistakes {lang}`"


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
