"""Grading by result: the student's query and the reference's, evaluated side by side on the exercises' data sets
(provision/datasets.py, served by the lab's `prometheus-datasets`), where every plausible wrong answer gives another
number than the right one. What an answer does is judged, never how it is spelt: any window, function, unit or
aggregation that gives the right numbers on every data set is right.

A Question names its data sets, the readings a right answer may take (a reference query and the units its value may
be given in), and what one row is known by (a node, a job, or a single value).
"""

import math
import re
from dataclasses import dataclass, field

from exercises.base import QueryRefused, Text, done, missing, say
from provision.datasets import DATASETS


@dataclass(frozen=True)
class Reading:
    """One way to give the right answer: the reference query, and the units its value may be given in
    ({unit name: factor}: the student's value times the factor is the reference's)."""

    expr: str
    units: dict


@dataclass(frozen=True)
class Question:
    datasets: tuple
    readings: tuple  # of Reading
    what: Text  # what the value is, for the messages ("the targets up")
    by: tuple = ("node",)  # the labels a row is known by; () for a single value
    missing_is_zero: bool = False  # a row the answer leaves out counts as 0 (count by (job) (up == 1))
    rel: float = 0.01
    absolute: dict = field(default_factory=dict)  # {reading index: absolute slack in the reference's unit}


def decimal(value):
    """A number in French prose: a decimal comma (0,75)."""
    return f"{value:.4g}".replace(".", ",")


def key_text(by, key):
    return ", ".join(f"{label} {value}" for label, value in zip(by, key)) if by else ""


def _rows(result, by):
    """({key: [values]}, how many series lack one of the labels)."""
    found, lacking = {}, 0
    for series in result:
        if not all(label in series["metric"] for label in by):
            lacking += 1
            continue
        found.setdefault(tuple(series["metric"][label] for label in by), []).append(float(series["value"][1]))
    return found, lacking


def _close(got, truth, rel, absolute):
    return not (math.isnan(got) or math.isnan(truth)) and abs(got - truth) <= max(rel * abs(truth), absolute)


@dataclass
class Evaluated:
    dataset: object
    got: dict  # {key: value} of the student's answer
    truths: list  # [{key: value}] per reading


def _in_words(lab, dataset):
    fr, en = dataset.describe(lab)
    return f"« {dataset.name} » ({fr})", f"'{dataset.name}' ({en})"


def _listed(labels):
    """Label names as PromQL writes them in by (...): quoted when they are not identifiers (UTF-8 names)."""
    return ", ".join(label if re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", label) else f'"{label}"' for label in labels)


def _shape(lab, question, dataset, result, truth):
    """The first reason the answer's rows cannot be compared on this data set (a Finding), or None."""
    (fr, en), by = _in_words(lab, dataset), question.by
    label = " ".join(by)
    if not result:
        return missing(f"sur le jeu de données {fr}, votre requête ne renvoie rien : utilise-t-elle les noms de métriques "
                       "du lab ?", f"on the data set {en}, your query returns nothing: does it use the lab's metric names?")
    rows, lacking = _rows(result, by)
    if lacking:
        return missing(f"sur le jeu de données {fr}, {lacking} série(s) n'ont pas l'étiquette {label} : gardez-la "
                       f"(sum by ({_listed(by)}) …)", f"on the data set {en}, {lacking} series lack the {label} label: keep "
                       f"it (sum by ({_listed(by)}) …)")
    several = sorted(k for k, v in rows.items() if len(v) > 1)
    if not by and len(result) > 1:
        return missing(f"sur le jeu de données {fr}, votre requête renvoie {len(result)} séries : une seule valeur est "
                       "attendue, pour tout ensemble", f"on the data set {en}, your query returns {len(result)} series: one "
                       "value is wanted, for everything together")
    if several:
        where = key_text(by, several[0])
        return missing(f"sur le jeu de données {fr}, plusieurs séries pour {where} : regroupez-les en une valeur par {label}",
                       f"on the data set {en}, several series for {where}: aggregate them into one value per {label}")
    absent = sorted(k for k in truth if k not in rows and not (question.missing_is_zero and truth[k] == 0))
    if absent:
        where = ", ".join(key_text(by, k) for k in absent[:4])
        return missing(f"sur le jeu de données {fr}, rien pour {where} : ne filtrez pas ce qu'il faut compter",
                       f"on the data set {en}, nothing for {where}: do not filter out what must be counted")
    extra = sorted(k for k in rows if k not in truth)
    if extra:
        where = ", ".join(key_text(by, k) for k in extra[:4])
        return missing(f"sur le jeu de données {fr}, votre requête donne aussi {where}, qui n'a rien à y faire",
                       f"on the data set {en}, your query also gives {where}, which does not belong there")
    return None


def _evaluate(ctx, question, expr):
    """([Evaluated], None) or (None, a Finding saying why the answer cannot be compared)."""
    found = []
    for name in question.datasets:
        dataset = DATASETS[name]
        try:
            result = ctx.on_datasets("query", expr, at=dataset.end)
        except QueryRefused as e:
            return None, missing(f"Prometheus refuse votre requête : {e}", f"Prometheus refuses your query: {e}")
        truths = [ctx.on_datasets("query", reading.expr, at=dataset.end) for reading in question.readings]
        truth = {k: v[0] for k, v in _rows(truths[0], question.by)[0].items()}
        problem = _shape(ctx.lab, question, dataset, result, truth)
        if problem:
            return None, problem
        got = {k: v[0] for k, v in _rows(result, question.by)[0].items()}
        found.append(Evaluated(dataset, got, [{k: v[0] for k, v in _rows(t, question.by)[0].items()} for t in truths]))
    return found, None


def _mismatches(question, evaluated, reading, factor):
    """[(data set, key, the student's value, the truth in the student's unit)] where the answer is off."""
    slack = question.absolute.get(reading, 1e-9)
    found = []
    for e in evaluated:
        for key, truth in e.truths[reading].items():
            got = e.got.get(key, 0.0 if question.missing_is_zero else math.nan)
            if not _close(got * factor, truth, question.rel, slack):
                found.append((e.dataset, key, got, truth / factor))
    return found


def judge(ctx, question, expr, hint=None):
    """[Finding]: done when the answer gives the reference's numbers (in one of its units) on every data set;
    otherwise the first difference, said with the data set it shows on, and `hint(ctx) -> Text or None` (what the
    syntax tree suggests) after it."""
    evaluated, problem = _evaluate(ctx, question, expr)
    if problem is None:
        problem = _verdict(ctx, question, evaluated)
        if problem.done:
            return [problem]
    extra = hint(ctx) if hint else None
    if extra:
        problem = missing(f"{problem.text.fr} — {extra.fr}", f"{problem.text.en} — {extra.en}")
    return [problem]


def _tidy(value):
    """A number as a student reads it: what floating point leaves of a zero (1 - 0.9999999999999999) is 0."""
    return 0.0 if abs(value) < 1e-9 else value


def _distance(question, evaluated, reading, factor):
    """How far the answer is from a reading in a unit: the median of |log(student's value × factor / truth)| over every
    row (infinite where signs differ or one is zero). The reading and unit the student chose are the nearest: the
    message compares in them."""
    gaps = []
    for e in evaluated:
        for key, truth in e.truths[reading].items():
            got = e.got.get(key, 0.0 if question.missing_is_zero else math.nan) * factor
            both = not (math.isnan(got) or math.isnan(truth)) and got * truth > 0
            gaps.append(abs(math.log(got / truth)) if both else (0.0 if _close(got, truth, question.rel, 1e-9) else math.inf))
    gaps.sort()
    return gaps[len(gaps) // 2] if gaps else math.inf


def _verdict(ctx, question, evaluated):
    tries = [(i, unit, factor) for i, reading in enumerate(question.readings) for unit, factor in reading.units.items()]
    off = {t: _mismatches(question, evaluated, t[0], t[2]) for t in tries}
    names = ", ".join(e.dataset.name for e in evaluated)
    for (_, unit, _factor), wrong in off.items():
        if not wrong:
            fr, en = ((f", en {unit.fr}", f", in {unit.en}") if len(tries) > 1 else ("", ""))
            return done(f"juste sur chaque jeu de données ({names}){fr}", f"right on every data set ({names}){en}")
    # The reading and unit the student's numbers are nearest to, when one is within a factor of two: the one they chose;
    # otherwise (a counter read raw, a quantity of another kind) the reading off in the fewest places, in its first unit.
    near = min(tries, key=lambda t: (_distance(question, evaluated, t[0], t[2]), len(off[t])))
    chose = _distance(question, evaluated, near[0], near[2]) < math.log(2)
    closest = near if chose else min(tries, key=lambda t: len(off[t]))
    dataset, key, got, truth = off[closest][0]
    got, truth = _tidy(got), _tidy(truth)
    fr, en = _in_words(ctx.lab, dataset)
    unit = closest[1]
    where_fr = f" pour {key_text(question.by, key)}" if question.by else ""
    where_en = f" for {key_text(question.by, key)}" if question.by else ""
    in_fr, in_en = ((f" (en {unit.fr})", f" (in {unit.en})") if len(tries) > 1 else ("", ""))
    return missing(f"sur le jeu de données {fr}, votre requête donne {decimal(got)}{where_fr} ; {question.what.fr} : "
                   f"{decimal(truth)}{in_fr}",
                   f"on the data set {en}, your query gives {got:.4g}{where_en}; {question.what.en}: {truth:.4g}{in_en}")


def where_to_see(ctx):
    """A sentence saying where the data sets can be queried by hand."""
    url = ctx.lab.datasets.host_url
    return say(f"(les jeux de données se consultent sur {url}, aux dates qu'ils portent en 2025)",
               f"(the data sets can be queried at {url}, at their times in 2025)")


def firing(ctx, expr, hold, dataset, settle=600):
    """({node: the minute of the data set it would first fire at}, series without a node label): an alert of that
    expression and `for:` (seconds), evaluated every 15 s over the data set after its first `settle` seconds (for the
    windows of rate() to fill). It fires where the expression holds on every evaluation for `hold` seconds."""
    from provision.datasets import STEP

    result = ctx.on_datasets("query_range", expr, dataset.start + settle, dataset.end, STEP)
    fired, unlabelled = {}, 0
    need = math.ceil(hold / STEP) + 1  # Prometheus fires at the first evaluation at least `for:` after the first true one
    for series in result:
        node = series["metric"].get("node")
        if node is None:
            unlabelled += 1
            continue
        run, last = 0, None
        for stamp, _ in series["values"]:
            run = run + 1 if last is not None and round(stamp - last) == STEP else 1
            last = stamp
            if run >= need:
                fired.setdefault(node, int(stamp - dataset.start) // 60)
                break
    return fired, unlabelled
