"""Exercise 10: an alert that fires only under a load the student makes, reaches the receiver, and is silenced."""

import requests

from exercises import grading
from exercises import silences as silences_of
from exercises.attempts import Attempt
from exercises.base import Exercise, LabUnreachable, QueryRefused, done, missing, on_node, say
from exercises.rules import loaded, not_loaded, remove
from labclient.alerting import api
from labclient.prom import parse_time, why
from provision.datasets import DATASETS, busy_node, other_busy_nodes
from provision.roles import alertmanager

ALERT = "HighLoad"
FILE = "load.rules.yml"
ATTEMPT = Attempt(10)


def _alertmanager():
    from labclient.alerting import alertmanager_url, notifications

    return alertmanager_url(), notifications


def judge(ctx, answer):
    """An alert rule given as {expr, for} (teacher/cases.yaml), judged on the data sets."""
    from provision.schema import seconds

    return _on_datasets(ctx, {"query": answer["expr"], "duration": seconds(str(answer.get("for", "0s")))})


def _expected(ctx):
    """[(data set, the nodes loaded in it)]: quiet at rest, firing on the node the guide loads, and on two others loaded
    at other times (a rule that names the guide's node, or fires once only, is refused there)."""
    loads = [("rest", set()), ("busy", {busy_node(ctx.lab)}), ("busy-elsewhere", set(other_busy_nodes(ctx.lab)))]
    return [(DATASETS[name], nodes) for name, nodes in loads if DATASETS[name].applies(ctx.lab)]


def _on_datasets(ctx, rule):
    """[Finding]: the rule (its expression and for:) evaluated as Prometheus would over the data sets: quiet on a lab at
    rest, firing on every node made busy as the guide does it and on those alone."""
    expr, hold = rule["query"], float(rule.get("duration", 0))
    fired = {}
    for dataset, _nodes in _expected(ctx):
        try:
            fired[dataset.name], unlabelled = grading.firing(ctx, expr, hold, dataset)
        except QueryRefused as e:
            return [missing(f"Prometheus refuse l'expression de {ALERT} : {e}", f"Prometheus refuses {ALERT}'s expression: {e}")]
        if unlabelled:
            return [missing(f"{ALERT} ne dit pas quel nœud est chargé : gardez l'étiquette node (avg by (node), max by (node)…)",
                            f"{ALERT} does not say which node is busy: keep the node label (avg by (node), max by (node)…)")]
    for dataset, nodes in _expected(ctx):
        got = fired[dataset.name]
        fr, en = dataset.describe(ctx.lab)
        quiet = sorted(set(got) - nodes)
        if quiet:
            node = quiet[0]
            return [missing(f"sur le jeu de données « {dataset.name} » ({fr}), {ALERT} se déclencherait sur {node} "
                            f"(minute {got[node]}), qui est au repos : un nœud au repos doit rester sous votre seuil",
                            f"on the data set '{dataset.name}' ({en}), {ALERT} would fire on {node} (minute {got[node]}), "
                            "which is at rest: a node at rest must stay under your threshold")]
        never = sorted(nodes - set(got))
        if never:
            return [missing(f"sur le jeu de données « {dataset.name} » ({fr}), {ALERT} ne se déclenche jamais sur {never[0]} : "
                            "seuil trop haut, for: plus long que la charge, ou un nœud choisi d'avance ?",
                            f"on the data set '{dataset.name}' ({en}), {ALERT} never fires on {never[0]}: a threshold too "
                            "high, a for: longer than the load, or a node chosen beforehand?")]
    loaded_node = busy_node(ctx.lab)
    minute = fired["busy"][loaded_node]
    return [done(f"sur les jeux de données, elle reste silencieuse au repos et se déclenche sur chaque nœud chargé ({loaded_node} "
                 f"à la minute {minute})", f"on the data sets, it stays quiet at rest and fires on every busy node "
                 f"({loaded_node} at minute {minute})")]


def _silences(url):
    silences = api("GET", f"{url}/api/v2/silences").json()
    return [s for s in silences if s["status"]["state"] == "active"]


def _others(ctx, fired):
    """Label sets of the lab's other alerts on the same nodes (each other alerting rule's name and labels over a label
    set of HighLoad as it fired): what a silence must leave alone."""
    rules = [r for g in ctx.api("rules")["groups"] for r in g["rules"] if r["type"] == "alerting" and r["name"] != ALERT]
    return [{**labels, **r.get("labels", {}), "alertname": r["name"]} for labels in fired for r in rules]


def _judge_silences(ctx, silences, fired):
    """[Finding] on the active silences: one silences every HighLoad alert that fired in the attempt, and no other alert
    of the lab; judged by what Alertmanager's own matching makes of their matchers (exercises/silences.py)."""
    others = _others(ctx, fired)
    node = ctx.lab.nodes_with("alertmanager")[0].name
    hits = silences_of.silenced(node, silences, fired + others)
    on_fired, on_others = hits[:len(fired)], hits[len(fired):]
    covering = [i for i in range(len(silences)) if all(i in h for h in on_fired)]
    if not covering:
        return missing(f"aucun silence actif ne fait taire {ALERT} telle qu'elle s'est déclenchée "
                       f"({_shown(fired[0])}) : amtool silence add, avec des matchers qui la désignent",
                       f"no active silence silences {ALERT} as it fired ({_shown(fired[0])}): amtool silence add, with "
                       "matchers that name it")
    exact = [i for i in covering if not any(i in h for h in on_others)]
    if not exact:
        also = next(others[j] for j, h in enumerate(on_others) if covering[0] in h)
        return missing(f"votre silence fait taire aussi {also['alertname']} sur {also.get('node', '?')} : il doit ne viser "
                       f"que {ALERT}", f"your silence also silences {also['alertname']} on {also.get('node', '?')}: it "
                       f"must aim at {ALERT} alone")
    ends = silences[exact[0]]["endsAt"]
    return done(f"un silence sur {ALERT} est actif (jusqu'à {ends}), et lui seul", f"a silence on {ALERT} is active (until "
                f"{ends}), and on it alone")


def _shown(labels):
    return ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


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
    # Only what happened in this attempt: since the exercise's last reset (never an earlier attempt's history).
    since = ATTEMPT.started() or ctx.at - 3600
    window = f"{max(60, int(ctx.at - since))}s"
    fired = ctx.query(f'max_over_time(ALERTS{{alertname="{ALERT}", alertstate="firing"}}[{window}])')
    true_lately = ctx.query(f"max_over_time(({rule['query']})[{window}:15s])")
    if not fired or not true_lately:
        return found + [missing(f"{ALERT} ne s'est pas encore déclenchée depuis le début de l'exercice (état : {rule['state']}) : "
                                "chargez un nœud assez longtemps (plus que son for:)", f"{ALERT} has not fired since the "
                                f"exercise began (state: {rule['state']}): load a node long enough (longer than its for:)")]
    nodes = sorted({s["metric"].get("node", "?") for s in fired})
    found.append(done(f"{ALERT} s'est déclenchée ({', '.join(nodes)})", f"{ALERT} has fired ({', '.join(nodes)})"))
    url, notifications = _alertmanager()
    try:
        told = [a for n in notifications() for a in n["alerts"] if a["labels"].get("alertname") == ALERT and a["status"] == "firing"]
        held = api("GET", f"{url}/api/v2/alerts", params={"filter": f'alertname="{ALERT}"'}).json()
        silences = _silences(url)
    except requests.RequestException as e:
        raise LabUnreachable(say(f"Alertmanager ou le récepteur ne répond pas ({why(e)['fr']}) : lancez `make status`, puis `make up` "
                                 "si le lab n'est pas démarré.",
                                 f"Alertmanager or the receiver does not answer ({why(e)['en']}): run `make status`, then "
                                 "`make up` if the lab is not up.")) from None
    reached = _reached(told, held, since)
    if not reached:
        return found + [missing("le récepteur du lab n'a reçu aucune notification de " + ALERT + " depuis le début de l'exercice : "
                                "Alertmanager la route-t-il ?", f"the lab's receiver got no notification of {ALERT} since the "
                                "exercise began: does Alertmanager route it?")]
    found.append(done(f"le récepteur a reçu {ALERT}", f"the receiver got {ALERT}"))
    return found + [_judge_silences(ctx, silences, reached)]


def _seconds(stamp):
    return parse_time(stamp).timestamp()


def _reached(told, held, since):
    """The label sets of HighLoad as it reached the receiver in this attempt: notified since it began; or held by
    Alertmanager now, fired in this attempt and routed to the receiver, which was told of that same alert before
    (Alertmanager does not tell it again before repeat_interval, 4 h: a second attempt within it stays silent)."""
    def key(labels):
        return tuple(sorted(labels.items()))

    fresh = {key(a["labels"]): a["labels"] for a in told if _seconds(a["startsAt"]) >= since}
    if fresh:
        return list(fresh.values())
    before = {key(a["labels"]) for a in told}
    routed = {key(a["labels"]): a["labels"] for a in held if _seconds(a["startsAt"]) >= since
              and any(r.get("name") == alertmanager.ROUTE_RECEIVER for r in a.get("receivers", [])) and key(a["labels"]) in before}
    return list(routed.values())


BUSY = "while :; do :; [d]one"  # the guide's busy loops (teacher/solutions/load.sh too), not the shell running pkill


def undo(ws):
    remove(ws, "alert", ALERT, FILE)
    for node in ws.lab_now().nodes_with("node_exporter"):
        if on_node(node.name, f"pkill -f '{BUSY}'").returncode == 0:
            ws.say(f"arrête les boucles de charge sur {node.name}", f"stops the busy loops on {node.name}")
    if not ws.lab_now().nodes_with("alertmanager"):
        return
    url, notifications = _alertmanager()
    # The silences of this attempt that silence the alert (by Alertmanager's matching: a silence on its name, or on a
    # node, made while the exercise was under way), and those from before that name it; a student's other silences stay.
    since = ATTEMPT.started() or 0
    nodes = [n.name for n in ws.lab_now().nodes_with("node_exporter")]
    fired = [a["labels"] for n in notifications() for a in n["alerts"] if a["labels"].get("alertname") == ALERT]
    targets = [{"alertname": ALERT, "node": node} for node in nodes] + fired
    active = _silences(url)
    node = ws.lab_now().nodes_with("alertmanager")[0].name
    hits = silences_of.silenced(node, active, targets)
    def aims_at_the_alert(i, silence):
        names_it = any(m["name"] == "alertname" and m["value"] == ALERT and not m.get("isRegex") and m.get("isEqual", True)
                       for m in silence["matchers"])
        silences_it = any(i in h for h in hits)
        on_its_name = any(m["name"] == "alertname" for m in silence["matchers"])
        return names_it or (silences_it and (_seconds(silence["startsAt"]) >= since or on_its_name))

    aimed = [s for i, s in enumerate(active) if aims_at_the_alert(i, s)]
    for silence in aimed:
        api("DELETE", f"{url}/api/v2/silence/{silence['id']}").raise_for_status()
        ws.say(f"lève le silence {silence['id']} sur {ALERT}", f"expires silence {silence['id']} on {ALERT}")
    ATTEMPT.begin()


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
