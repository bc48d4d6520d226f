"""What the Prometheus 3 exercises (14 to 16) share: the demo service's names as Prometheus 3 keeps them from OTLP
(provision/otel_data.py), the sentence for a lab whose Prometheus is 2.x, and what the syntax tree says about the names
(OpenTelemetry's dots, which PromQL must quote)."""

from exercises import answers
from exercises.base import missing, say
from provision.otel_data import METRIC, ROUTE

DATASETS = ("otel-a", "otel-b")
SELECTOR = f'{{"{METRIC}"}}'
PER_SECOND = {say("requêtes/s", "requests/s"): 1}
ESCAPED = METRIC.replace(".", "_")  # the name under Prometheus 2's translation (dots become underscores)


def needs_prometheus3(ctx, number):
    """[a Finding] when the lab's Prometheus is 2.x (no UTF-8 names, no OpenTelemetry data sets), else []."""
    release = ctx.lab.prometheus_release
    if release.major >= 3:
        return []
    return [missing(f"l'exercice {number} demande Prometheus 3 (ce lab a Prometheus {release.text()}) : "
                    "`LAB_FILE=examples/forky.yaml make up`, puis `LAB_FILE=examples/forky.yaml make exercise "
                    f"{number}`", f"exercise {number} needs Prometheus 3 (this lab has Prometheus {release.text()}): "
                    f"`LAB_FILE=examples/forky.yaml make up`, then `LAB_FILE=examples/forky.yaml make exercise {number}`")]


def checked(number, name, judge):
    """answers.checked for an exercise that needs a Prometheus 3: on a 2.x, the one sentence saying so, and no more."""
    check = answers.checked(name, judge)
    return lambda ctx: needs_prometheus3(ctx, number) or check(ctx)


def names_hint(root):
    """What the names of a query say is off: OpenTelemetry's name spelt with underscores, a classic-histogram series
    (_count, _sum) of a histogram that is native, the route label unquoted. None when nothing is."""
    if root is None:
        return None
    names = answers.metric_names(root)
    if any(n.startswith(ESCAPED) for n in names):
        return say(f"Prometheus 3 garde les noms d'OpenTelemetry tels quels, points compris : le nom {ESCAPED} n'existe "
                   "pas ici, mettez le vrai nom entre guillemets dans les accolades",
                   f"Prometheus 3 keeps OpenTelemetry's names as they are, dots included: there is no {ESCAPED} here, "
                   "quote the real name inside the braces")
    if any(n in (f"{METRIC}_count", f"{METRIC}_sum") for n in names):
        return say("cet histogramme est natif : une seule série, sans _count ni _sum ; histogram_count() et "
                   "histogram_sum() les lisent dans l'histogramme lui-même",
                   "this histogram is native: one series, no _count or _sum; histogram_count() and histogram_sum() read "
                   "them from the histogram itself")
    grouped = {label for n in answers.nodes(root) if type(n).__name__ == "AggregateExpr" and n.modifier
               for label in n.modifier.labels}
    if ROUTE.replace(".", "_") in grouped:
        return say(f"l'étiquette s'appelle {ROUTE}, avec un point : un nom d'étiquette qui n'est pas un identifiant "
                   "PromQL s'écrit entre guillemets, aussi dans by (...)",
                   f"the label is {ROUTE}, with a dot: a label name that is not a PromQL identifier is quoted, in by "
                   "(...) too")
    return None
