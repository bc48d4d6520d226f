"""Exercise 10: an alert that fires only under a load the student makes, reaches the receiver, and is silenced."""

import requests

from exercises import grading
from exercises.base import Exercise, LabUnreachable, QueryRefused, done, missing, on_node, say
from exercises.rules import loaded, not_loaded, remove
from labclient.alerting import api
from provision.datasets import DATASETS, busy_node

ALERT = "HighLoad"
FILE = "load.rules.yml"


def _alertmanager():
    from labclient.alerting import alertmanager_url, notifications

    return alertmanager_url(), notifications


def judge(ctx, answer):
    """An alert rule given as {expr, for} (teacher/cases.yaml), judged on the data sets."""
    from provision.schema import seconds

    return _on_datasets(ctx, {"query": answer["expr"], "duration": seconds(str(answer.get("for", "0s")))})


def _on_datasets(ctx, rule):
    """[Finding]: the rule (its expression and for:) evaluated as Prometheus would over the data sets: quiet on a lab at
    rest, firing on the node made busy as the guide does it, on that node alone."""
    expr, hold = rule["query"], float(rule.get("duration", 0))
    rest, busy = DATASETS["rest"], DATASETS["busy"]
    try:
        at_rest, unlabelled = grading.firing(ctx, expr, hold, rest)
        under_load, unlabelled_under_load = grading.firing(ctx, expr, hold, busy)
    except QueryRefused as e:
        return [missing(f"Prometheus refuse l'expression de {ALERT} : {e}", f"Prometheus refuses {ALERT}'s expression: {e}")]
    if unlabelled or unlabelled_under_load:
        return [missing(f"{ALERT} ne dit pas quel nœud est chargé : gardez l'étiquette node (avg by (node), max by (node)…)",
                        f"{ALERT} does not say which node is busy: keep the node label (avg by (node), max by (node)…)")]
    if at_rest:
        node = sorted(at_rest)[0]
        return [missing(f"sur le jeu de données « rest » (une heure de lab au repos), {ALERT} se déclencherait sur {node} "
                        f"(minute {at_rest[node]}) : un nœud au repos doit rester sous votre seuil",
                        f"on the data set 'rest' (an hour of the lab at rest), {ALERT} would fire on {node} (minute "
                        f"{at_rest[node]}): a node at rest must stay under your threshold")]
    loaded_node = busy_node(ctx.lab)
    fr, en = busy.describe(ctx.lab)
    if loaded_node not in under_load:
        return [missing(f"sur le jeu de données « busy » ({fr}), {ALERT} ne se déclenche jamais sur {loaded_node} : seuil trop "
                        "haut, ou for: plus long que la charge ?", f"on the data set 'busy' ({en}), {ALERT} never fires on "
                        f"{loaded_node}: a threshold too high, or a for: longer than the load?")]
    others = sorted(set(under_load) - {loaded_node})
    if others:
        return [missing(f"sur le jeu de données « busy » ({fr}), {ALERT} se déclenche aussi sur {others[0]}, qui est au repos",
                        f"on the data set 'busy' ({en}), {ALERT} also fires on {others[0]}, which is at rest")]
    return [done(f"sur les jeux de données, elle reste silencieuse au repos et se déclenche sur {loaded_node} chargé "
                 f"(minute {under_load[loaded_node]})", f"on the data sets, it stays quiet at rest and fires on the busy "
                 f"{loaded_node} (minute {under_load[loaded_node]})")]


def _silences(url):
    silences = api("GET", f"{url}/api/v2/silences").json()
    return [s for s in silences if s["status"]["state"] == "active"]


def _silences_the_alert(silence):
    """The silence names the alert exactly: alertname="HighLoad" (a regex or a broader matcher silences more)."""
    return any(m["name"] == "alertname" and m["value"] == ALERT and not m.get("isRegex") and m.get("isEqual", True)
               for m in silence["matchers"])


def check(ctx):
    node = ctx.lab.prometheus_node.name
    if not ctx.lab.nodes_with("alertmanager"):
        return [missing("ce lab n'a pas d'Alertmanager (lab.yaml)", "this lab has no Alertmanager (lab.yaml)")]
    rule = loaded(ctx, "alert", ALERT)
    if not rule:
        return [not_loaded("alert", ALERT, FILE, node)]
    found = [done(f"Prometheus a chargé {ALERT} ({rule['file']})", f"Prometheus loaded {ALERT} ({rule['file']})")]
    judged = _on_datasets(ctx, rule)
    if not judged[0].done:
        return found + judged
    found += judged
    fired = ctx.query(f'max_over_time(ALERTS{{alertname="{ALERT}", alertstate="firing"}}[1h])')
    true_lately = ctx.query(f"max_over_time(({rule['query']})[1h:15s])")
    if not fired or not true_lately:
        return found + [missing(f"{ALERT} ne s'est pas encore déclenchée (état : {rule['state']}) : chargez un nœud assez longtemps "
                                "(plus que son for:)", f"{ALERT} has not fired yet (state: {rule['state']}): load a node long "
                                "enough (longer than its for:)")]
    nodes = sorted({s["metric"].get("node", "?") for s in fired})
    found.append(done(f"{ALERT} s'est déclenchée ({', '.join(nodes)})", f"{ALERT} has fired ({', '.join(nodes)})"))
    url, notifications = _alertmanager()
    try:
        got = [a for n in notifications() for a in n["alerts"] if a["labels"].get("alertname") == ALERT and a["status"] == "firing"]
        silences = _silences(url)
    except requests.RequestException as e:
        raise LabUnreachable(say(f"Alertmanager ou le récepteur ne répond pas ({type(e).__name__}) : lancez `make status`.",
                                 f"Alertmanager or the receiver does not answer ({type(e).__name__}): run `make status`.")) from None
    if not got:
        return found + [missing("le récepteur du lab n'a reçu aucune notification de " + ALERT + " : Alertmanager la route-t-il ?",
                                f"the lab's receiver got no notification of {ALERT}: does Alertmanager route it?")]
    found.append(done(f"le récepteur a reçu {ALERT}", f"the receiver got {ALERT}"))
    exact = [s for s in silences if _silences_the_alert(s)]
    if not exact:
        broad = bool(silences)
        return found + [missing(("votre silence couvre plus que " + ALERT if broad else f"aucun silence actif sur {ALERT}")
                                + " : amtool silence add alertname=" + ALERT,
                                (f"your silence covers more than {ALERT}" if broad else f"no active silence on {ALERT}")
                                + f": amtool silence add alertname={ALERT}")]
    ends = exact[0]["endsAt"]
    return found + [done(f"un silence sur {ALERT} est actif (jusqu'à {ends})", f"a silence on {ALERT} is active (until {ends})")]


BUSY = "while :; do :; [d]one"  # the guide's busy loops (teacher/solutions/load.sh too), not the shell running pkill


def undo(ws):
    remove(ws, "alert", ALERT, FILE)
    for node in ws.lab().nodes_with("node_exporter"):
        if on_node(node.name, f"pkill -f '{BUSY}'").returncode == 0:
            ws.say(f"arrête les boucles de charge sur {node.name}", f"stops the busy loops on {node.name}")
    if not ws.lab().nodes_with("alertmanager"):
        return
    url, _ = _alertmanager()
    for silence in _silences(url):
        if any(m["name"] == "alertname" and m["value"] == ALERT for m in silence["matchers"]):
            api("DELETE", f"{url}/api/v2/silence/{silence['id']}").raise_for_status()
            ws.say(f"lève le silence {silence['id']} sur {ALERT}", f"expires silence {silence['id']} on {ALERT}")


EXERCISE = Exercise(
    number=10,
    level=say("difficile", "hard"),
    title=say("Une alerte qui se déclenche sous la charge, puis qu'on fait taire", "An alert that fires under load, then silenced"),
    learn=say("règles d'alerte (seuil, for:), le trajet Prometheus → Alertmanager → récepteur, les silences avec amtool",
              "alert rules (threshold, for:), the way from Prometheus to Alertmanager to a receiver, silences with amtool"),
    hints=(
        say(f"Regardez d'abord node_load1 (ou l'occupation du CPU de l'exercice 3) au repos : votre seuil doit être au-dessus. "
            f"La règle s'appelle {ALERT}.",
            f"First look at node_load1 (or the CPU busy share of exercise 3) at rest: your threshold must be above it. "
            f"Name the rule {ALERT}."),
        say("Une règle d'alerte : alert:, expr: (la condition), for: (combien de temps elle doit durer), labels:, annotations:. "
            "promlab.rules.yml en a des exemples. Vérifiez avec promtool check rules, puis systemctl reload prometheus.",
            "An alert rule: alert:, expr: (the condition), for: (how long it must hold), labels:, annotations:. "
            "promlab.rules.yml has examples. Check with promtool check rules, then systemctl reload prometheus."),
        say("Pour charger un nœud : des boucles infinies bornées par timeout (voir le guide). Quand elle se déclenche, le journal "
            "du récepteur la montre ; sur node1, amtool silence add alertname=... (déjà connecté à Alertmanager) la fait taire.",
            "To load a node: endless loops bounded by timeout (see the guide). When it fires, the receiver's journal shows "
            "it; on node1, amtool silence add alertname=... (already signed in to Alertmanager) silences it."),
    ),
    check=check,
    undo=undo,
    judges={"alert": judge},
)
