"""Exercise 16 (Prometheus 3): an OpenTelemetry resource attribute joined onto a metric — the requests per second of
each instance of the demo service with the service.version it runs, which only target_info holds. group_left works on
every Prometheus; info() (experimental in 3.x) where promql-experimental-functions is on. Judged on the OpenTelemetry
data sets, where the versions swap between instances: a version written by hand is wrong on one of them."""

from exercises import answers, grading, otel
from exercises.base import Exercise, say
from provision.otel_data import INFO

ANSWER = "16.promql"
VERSION = "service.version"
RATES = {"rate", "irate", "increase"}
QUESTION = grading.Question(
    datasets=otel.DATASETS, by=("instance", VERSION),
    readings=(grading.Reading(f'sum by (job, instance) (histogram_count(rate({otel.SELECTOR}[5m]))) * on (job, instance) '
                              f'group_left ("{VERSION}") {INFO}', otel.PER_SECOND),),
    what=say("les requêtes par seconde de l'instance, avec la version qu'elle fait tourner",
             "the requests per second of the instance, with the version it runs"))


def _hint(expr):
    def hint(ctx):
        root = answers.tree(expr)
        found = otel.names_hint(root)
        if found or root is None:
            return found
        if INFO not in answers.metric_names(root) and "info" not in answers.functions(root):
            return say(f"{VERSION} est un attribut de ressource : OpenTelemetry le range dans {INFO}, pas sur la "
                       "métrique ; il faut l'y joindre", f"{VERSION} is a resource attribute: OpenTelemetry puts it in "
                       f"{INFO}, not on the metric; it has to be joined from there")
        if not answers.functions(root) & RATES:
            return say("le nombre de requêtes compte depuis le démarrage : rate(...[5m]) pour les requêtes par seconde",
                       "the number of requests counts since start-up: rate(...[5m]) for the requests per second")
        return None
    return hint


def judge(ctx, expr):
    return grading.judge(ctx, QUESTION, expr, hint=_hint(expr))


EXERCISE = Exercise(
    number=16,
    title=say("Joindre target_info", "Joining target_info"),
    learn=say("joindre les attributs de ressource d'OpenTelemetry (target_info) à une métrique : group_left, info()",
              "joining OpenTelemetry's resource attributes (target_info) onto a metric: group_left, info()"),
    hints=(
        say(f"Regardez {INFO} : une série par instance du service, valeur 1, dont les étiquettes sont les attributs "
            "de ressource (version, environnement, machine).",
            f"Look at {INFO}: one series per instance of the service, value 1, whose labels are the resource attributes "
            "(version, environment, host)."),
        say("Les requêtes par seconde de chaque instance d'abord : sum by (job, instance) (histogram_count(rate(...))). "
            "job et instance sont communs aux deux côtés.",
            "The requests per second of each instance first: sum by (job, instance) (histogram_count(rate(...))). job and "
            "instance are on both sides."),
        say(f'Multiplier par {INFO} (qui vaut 1) garde la valeur : * on (job, instance) group_left ("{VERSION}") y '
            "ajoute l'étiquette. Avec promql-experimental-functions, info(...) fait la même jointure.",
            f'Multiplying by {INFO} (which is 1) keeps the value: * on (job, instance) group_left ("{VERSION}") adds the '
            "label. With promql-experimental-functions, info(...) does the same join."),
    ),
    level=say("difficile", "hard"),
    check=otel.checked(16, ANSWER, judge),
    undo=answers.removed(ANSWER),
    prometheus3=True,
    judges={ANSWER: judge},
)
