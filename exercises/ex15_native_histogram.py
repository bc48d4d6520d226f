"""Exercise 15 (Prometheus 3): the 90th percentile of one route's durations from a native histogram — one series, no
le — judged on the OpenTelemetry data sets. The classic-histogram habits (_bucket, le, sum by (le)) are refused with
the reason, even where they happen to give the number."""

from exercises import answers, grading, otel
from exercises.base import Exercise, missing, say
from provision.otel_data import METRIC, ROUTE

ANSWER = "15.promql"
ORDERS = "/api/orders"
RATES = {"rate", "irate", "increase"}
QUESTION = grading.Question(
    datasets=otel.DATASETS, by=(),
    readings=(grading.Reading(f'histogram_quantile(0.9, sum(rate({{"{METRIC}", "{ROUTE}"="{ORDERS}"}}[5m])))',
                              {say("s", "s"): 1, say("ms", "ms"): 1e-3}),),
    what=say(f"90\u00a0% des requêtes récentes de {ORDERS}, toutes instances et tous statuts ensemble, durent moins de",
             f"90% of the recent requests of {ORDERS}, every instance and status together, take less than"))
CLASSIC = say("cet histogramme est natif : une seule série dont chaque échantillon porte tous ses buckets. Il n'a ni "
              "série _bucket ni étiquette le ; sum by (le) n'y regroupe rien (le n'existe pas) et cesserait de marcher "
              "le jour où un histogramme classique du même nom s'y mêlerait. histogram_quantile() prend l'histogramme "
              "natif lui-même",
              "this histogram is native: one series whose every sample carries all its buckets. It has no _bucket "
              "series and no le label; sum by (le) groups nothing there (le does not exist) and would stop working the "
              "day a classic histogram of the same name mixed in. histogram_quantile() takes the native histogram "
              "itself")


def _classic(root):
    """True when the query reaches for a classic histogram: a _bucket series, or the le label anywhere."""
    if root is None:
        return False
    if any(n.endswith("_bucket") for n in answers.metric_names(root)):
        return True
    labels = {m.name for n in answers.nodes(root) if type(n).__name__ == "VectorSelector" for m in n.matchers.matchers}
    labels |= {label for n in answers.nodes(root) if getattr(n, "modifier", None) is not None
               for label in (getattr(n.modifier, "labels", None) or [])}
    return "le" in labels


def _hint(expr):
    def hint(ctx):
        root = answers.tree(expr)
        found = otel.names_hint(root)
        if found or root is None:
            return found
        if "histogram_quantile" not in answers.functions(root):
            return say("un centile se lit avec histogram_quantile", "a percentile is read with histogram_quantile")
        phi = answers.first_number(root, "histogram_quantile")
        if phi is not None and abs(phi - 0.9) > 1e-9:
            return say(f"vous demandez le quantile {phi:g} : le 90e centile, c'est 0.9",
                       f"you ask for the quantile {phi:g}: the 90th percentile is 0.9")
        if ORDERS not in answers.label_values(root):
            return say(f"seule la route {ORDERS} est demandée", f"only the route {ORDERS} is asked for")
        if not answers.functions(root) & RATES:
            return say("l'histogramme compte depuis le démarrage : rate(...[5m]) en garde les requêtes récentes",
                       "the histogram counts since start-up: rate(...[5m]) keeps the recent requests")
        return None
    return hint


def judge(ctx, expr):
    found = grading.judge(ctx, QUESTION, expr, hint=_hint(expr))
    if not _classic(answers.tree(expr)):
        return found
    if all(f.done for f in found):
        return [missing(CLASSIC.fr, CLASSIC.en)]
    return [missing(f"{f.text.fr} — {CLASSIC.fr}", f"{f.text.en} — {CLASSIC.en}") for f in found]


EXERCISE = Exercise(
    number=15,
    title=say("Un centile sur un histogramme natif", "A percentile from a native histogram"),
    learn=say("lire un histogramme natif : une série, pas de le, histogram_quantile directement",
              "reading a native histogram: one series, no le, histogram_quantile on it directly"),
    hints=(
        say(f"Les durées des requêtes du service sont dans {METRIC} : cherchez combien de séries il a par route, et "
            "s'il a une étiquette le.",
            f"The service's request durations are in {METRIC}: look at how many series it has per route, and whether it "
            "has an le label."),
        say("Un histogramme natif est un compteur comme un autre : rate(...[5m]) garde les requêtes récentes, sum(...) "
            "réunit instances et statuts, sans by (le).",
            "A native histogram is a counter like any other: rate(...[5m]) keeps the recent requests, sum(...) brings "
            "instances and statuses together, with no by (le)."),
        say(f'histogram_quantile(0.9, <l\'histogramme natif de la route {ORDERS}, récent et réuni>) : le sélecteur '
            f'porte {{"{ROUTE}"="{ORDERS}"}}.',
            f'histogram_quantile(0.9, <the native histogram of route {ORDERS}, recent and brought together>): the '
            f'selector holds {{"{ROUTE}"="{ORDERS}"}}.'),
    ),
    check=otel.checked(15, ANSWER, judge),
    undo=answers.removed(ANSWER),
    prometheus3=True,
    judges={ANSWER: judge},
)
