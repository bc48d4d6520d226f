"""Exercise 4: histogram_quantile over Prometheus' own request durations."""

import re

from exercises import answers
from exercises.base import Exercise, done, missing, say

ANSWER = "4.promql"
BUCKETS = "prometheus_http_request_duration_seconds_bucket"


def check(ctx):
    expr, found = answers.read(ANSWER)
    if expr is None:
        return found
    if "histogram_quantile" not in expr or BUCKETS not in expr:
        return found + [missing(f"il faut histogram_quantile sur {BUCKETS}", f"histogram_quantile over {BUCKETS} is wanted")]
    if not re.search(r"histogram_quantile\s*\(\s*0?\.90*\s*,", expr):
        return found + [missing("le 90e centile, c'est le quantile 0.9", "the 90th percentile is the quantile 0.9")]
    window, function = answers.window_and_function(expr)
    if not function or not window:
        return found + [missing("les buckets sont des compteurs depuis le démarrage : prenez leur rate(...[5m]) pour "
                                "les requêtes récentes", "buckets are counters since start-up: take their rate(...[5m]) "
                                "for recent requests")]
    result, refused = answers.run(ctx, expr)
    if result is None:
        return found + refused
    if len(result) != 1:
        return found + [missing(f"{len(result)} séries : il en faut une pour toutes les requêtes (sum by (le) avant le quantile)",
                                f"{len(result)} series: one is wanted for all requests (sum by (le) before the quantile)")]
    function = "rate" if function == "increase" else function
    truth = ctx.query(f"histogram_quantile(0.9, sum by (le) ({function}({BUCKETS}[{window}])))")
    want, got = answers.value(truth[0]), answers.value(result[0])
    for unit, factor in {"s": 1, "ms": 1e-3}.items():
        if answers.close(got, want / factor, rel=0.01):
            return found + [done(f"90 % des requêtes durent moins de {got:.3g} {unit} : juste",
                                 f"90% of requests take less than {got:.3g} {unit}: right")]
    return found + [missing(f"elle donne {got:.3g}, le 90e centile de toutes les requêtes est {want:.3g} s : le seul "
                            "label à garder avant histogram_quantile est le",
                            f"it gives {got:.3g}, the 90th percentile of all requests is {want:.3g} s: the only label to "
                            "keep before histogram_quantile is le")]


def undo(ws):
    ws.remove(f"answers/{ANSWER}")


EXERCISE = Exercise(
    number=4,
    title=say("Un centile avec histogram_quantile", "A percentile with histogram_quantile"),
    learn=say("lire un histogramme : buckets, le, rate, histogram_quantile", "reading a histogram: buckets, le, rate, histogram_quantile"),
    hints=(
        say(f"Prometheus mesure ses propres requêtes HTTP : cherchez {BUCKETS}. Chaque bucket compte les requêtes plus "
            "courtes que son étiquette le.",
            f"Prometheus measures its own HTTP requests: look for {BUCKETS}. Each bucket counts the requests shorter "
            "than its le label."),
        say("Les buckets sont des compteurs : rate(...[5m]) donne les requêtes récentes. Toutes les requêtes ensemble : "
            "sum by (le) (...).",
            "Buckets are counters: rate(...[5m]) gives the recent requests. All requests together: sum by (le) (...)."),
        say("histogram_quantile(0.9, <buckets par le>) donne la durée sous laquelle tombent 90 % des requêtes.",
            "histogram_quantile(0.9, <buckets by le>) gives the duration under which 90% of requests fall."),
    ),
    check=check,
    undo=undo,
)
