"""Exercise 14 (Prometheus 3): the demo service's metrics under their OpenTelemetry names, queried with UTF-8 quoting —
the requests per second of each route, judged on the OpenTelemetry data sets (provision/otel_data.py)."""

from exercises import answers, grading, otel
from exercises.base import Exercise, say
from provision.otel_data import METRIC, ROUTE

ANSWER = "14.promql"
RATES = {"rate", "irate", "increase"}
QUESTION = grading.Question(
    datasets=otel.DATASETS, by=(ROUTE,),
    readings=(grading.Reading(f'sum by ("{ROUTE}") (histogram_count(rate({otel.SELECTOR}[5m])))', otel.PER_SECOND),),
    what=say("les requêtes par seconde de la route, toutes instances, méthodes et statuts ensemble",
             "the requests per second of the route, every instance, method and status together"))


def _hint(expr):
    def hint(ctx):
        root = answers.tree(expr)
        found = otel.names_hint(root)
        if found or root is None:
            return found
        if "histogram_count" not in answers.functions(root):
            return say("chaque échantillon de l'histogramme porte le nombre de requêtes observées : histogram_count() "
                       "le lit", "each sample of the histogram carries how many requests it observed: histogram_count() "
                       "reads it")
        if not answers.functions(root) & RATES:
            return say("ce nombre compte depuis le démarrage du service : sa pente, rate(...[5m]), donne les requêtes par "
                       "seconde", "that number counts since the service started: its slope, rate(...[5m]), gives the "
                       "requests per second")
        return None
    return hint


def judge(ctx, expr):
    return grading.judge(ctx, QUESTION, expr, hint=_hint(expr))


EXERCISE = Exercise(
    number=14,
    title=say("Des noms OpenTelemetry en UTF-8", "OpenTelemetry names in UTF-8"),
    learn=say("trouver les métriques d'un service OpenTelemetry, citer un nom à points en PromQL",
              "finding an OpenTelemetry service's metrics, quoting a dotted name in PromQL"),
    hints=(
        say("Les jeux de données otel-a et otel-b contiennent ce que pousse en OTLP un service OpenTelemetry, "
            "promlab-demo. Ouvrez la page Query du Prometheus des jeux de données, à l'heure de l'un d'eux "
            "(`python3 -m labclient.datasets` donne l'une et l'autre), et cherchez « http.server » dans l'explorateur de métriques : ses "
            "noms gardent leurs points.",
            "The data sets otel-a and otel-b hold what an OpenTelemetry service, promlab-demo, pushes over OTLP. Open the "
            "Query page of the data sets' Prometheus at the time of one of them (`python3 -m labclient.datasets` gives "
            "both), and look for 'http.server' in the metrics explorer: its names keep their dots."),
        say(f'Un nom à points s\'écrit entre guillemets dans les accolades : {{"{METRIC}"}}. Ses étiquettes aussi : '
            f'by ("{ROUTE}").',
            f'A dotted name is quoted inside the braces: {{"{METRIC}"}}. So are its labels: by ("{ROUTE}").'),
        say("C'est un histogramme natif : histogram_count(rate(...[5m])) donne ses requêtes par seconde, série par série ; "
            "il reste à les additionner par route.",
            "It is a native histogram: histogram_count(rate(...[5m])) gives its requests per second, series by series; "
            "what is left is adding them up per route."),
    ),
    check=otel.checked(14, ANSWER, judge),
    undo=answers.removed(ANSWER),
    prometheus3=True,
    judges={ANSWER: judge},
)
