"""Exercise 4: histogram_quantile over Prometheus' own request durations."""

from exercises import answers, grading
from exercises.base import Exercise, say

ANSWER = "4.promql"
BUCKETS = "prometheus_http_request_duration_seconds_bucket"
RATES = {"rate", "irate", "increase"}
# Slow requests long ago, fast ones lately, each handler its own way: without a rate the quantile mixes both,
# per handler it gives several, at 0.5 or 0.99 another number.
QUESTION = grading.Question(
    datasets=("requests-a", "requests-b"), by=(),
    readings=(grading.Reading(f"histogram_quantile(0.9, sum by (le) (rate({BUCKETS}[5m])))",
                              {say("s", "s"): 1, say("ms", "ms"): 1e-3}),),
    what=say("90\u00a0% des requêtes récentes, tous handlers ensemble, durent moins de",
             "90% of the recent requests, every handler together, take less than"))


def _hint(expr):
    """What the syntax tree says: the quantile asked, the buckets read, a rate over them."""
    def hint(ctx):
        root = answers.tree(expr)
        if root is None:
            return None
        if "histogram_quantile" not in answers.functions(root) or BUCKETS not in answers.metric_names(root):
            return say(f"il faut histogram_quantile sur {BUCKETS}", f"histogram_quantile over {BUCKETS} is wanted")
        phi = answers.first_number(root, "histogram_quantile")
        if phi is not None and abs(phi - 0.9) > 1e-9:
            return say(f"vous demandez le quantile {phi:g} : le 90e centile, c'est 0.9",
                       f"you ask for the quantile {phi:g}: the 90th percentile is 0.9")
        if not answers.functions(root) & RATES:
            return say("les buckets comptent depuis le démarrage : prenez leur rate(...[5m]) pour les requêtes récentes",
                       "buckets count since start-up: take their rate(...[5m]) for the recent requests")
        return None
    return hint


def judge(ctx, expr):
    return grading.judge(ctx, QUESTION, expr, hint=_hint(expr))


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
    check=answers.checked(ANSWER, judge),
    undo=answers.removed(ANSWER),
    judges={ANSWER: judge},
)
