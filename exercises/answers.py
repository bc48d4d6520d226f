"""PromQL answers: a query the student saves in answers/<name>.promql, run by Prometheus and compared,
at the same evaluation time, with what the lab really has. Any unit a person would use is accepted."""

import math
import re

from exercises.base import REPO, QueryRefused, done, missing, say

ANSWERS = REPO / "answers"
WINDOW = re.compile(r"\[(\d+(?:ms|s|m|h|d))\]")
RATE = re.compile(r"\b(rate|irate|increase)\s*\(")
BYTES = {say("octets", "bytes"): 1, say("Kio", "KiB"): 2**10, say("Mio", "MiB"): 2**20, say("Gio", "GiB"): 2**30,
         say("ko", "kB"): 1e3, say("Mo", "MB"): 1e6, say("Go", "GB"): 1e9}
SHARE_ONLY = say("part de 0 à 1", "share from 0 to 1")
SHARE = {SHARE_ONLY: 1, say("%", "%"): 0.01}


def read(name):
    """(the query, findings so far): the query is None when the file is missing or empty."""
    path = ANSWERS / name
    shown = f"answers/{name}"
    if not path.is_file():
        return None, [missing(f"{shown} n'existe pas : écrivez-y votre requête (`mkdir -p answers` d'abord)",
                              f"{shown} does not exist: write your query into it (`mkdir -p answers` first)")]
    expr = " ".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")).strip()
    if not expr:
        return None, [missing(f"{shown} est vide : écrivez-y votre requête", f"{shown} is empty: write your query into it")]
    return expr, [done(f"{shown} : {expr}", f"{shown}: {expr}")]


def run(ctx, expr):
    """(result, findings): the result is None when Prometheus refuses the query."""
    try:
        return ctx.query(expr), []
    except QueryRefused as e:
        return None, [missing(f"Prometheus refuse la requête : {e}", f"Prometheus refuses the query: {e}")]


def asked(ctx, name):
    """(the query, its result, findings so far): the result is None when there is nothing to compare yet."""
    expr, found = read(name)
    if expr is None:
        return None, None, found
    result, refused = run(ctx, expr)
    return expr, result, found + refused


def value(sample):
    return float(sample["value"][1])


def by_node(ctx, result):
    """({node: value}, findings): one series per node_exporter node, each labelled with its node."""
    want = ctx.exporter_nodes()
    # Series of a target Prometheus no longer scrapes (a job removed since) linger for its 5-minute lookback:
    # they are not the answer's. Aggregated series (no job and instance) are kept as they are.
    active = {(t["labels"].get("job"), t["labels"].get("instance")) for t in ctx.targets()}
    result = [s for s in result if not {"job", "instance"} <= set(s["metric"])
              or (s["metric"]["job"], s["metric"]["instance"]) in active]
    unlabelled = [s for s in result if "node" not in s["metric"]]
    if unlabelled:
        return None, [missing("le résultat a des séries sans étiquette node : gardez-la (sum by (node), avg by (node)…)",
                              "the result has series without a node label: keep it (sum by (node), avg by (node)…)")]
    values = {}
    for s in result:
        values.setdefault(s["metric"]["node"], []).append(value(s))
    # The same node scraped twice (a hand-added job) gives equal series: one value. Unequal ones were not aggregated.
    several = sorted(n for n, v in values.items() if not all(close(x, v[0], 1e-6) for x in v))
    if several:
        return None, [missing(f"plusieurs séries par nœud ({', '.join(several)}) : regroupez-les, une valeur par nœud "
                              "(sum by (node) ou avg by (node))",
                              f"several series per node ({', '.join(several)}): aggregate them to one value per node "
                              "(sum by (node) or avg by (node))")]
    absent = sorted(set(want) - set(values))
    if absent:
        return None, [missing(f"il manque des nœuds : {', '.join(absent)} (ne filtrez pas sur un seul nœud)",
                              f"nodes are missing: {', '.join(absent)} (do not filter on one node)")]
    return {n: v[0] for n, v in values.items() if n in want}, []


def close(a, b, rel=0.01, absolute=1e-9):
    return not (math.isnan(a) or math.isnan(b)) and abs(a - b) <= max(rel * abs(b), absolute)


def scale_of(student, truth, scales, rel=0.01, absolute=1e-9):
    """The unit (a Text) under which every node's value matches the truth, or None."""
    for name, factor in scales.items():
        if all(close(student[n], truth[n] / factor, rel, absolute / factor) for n in truth):
            return name
    return None


def window_and_function(expr):
    """The range window (e.g. 1m) and rate function the query uses, or (None, None)."""
    window, function = WINDOW.search(expr), RATE.search(expr)
    return (window.group(1) if window else None), (function.group(1) if function else None)

