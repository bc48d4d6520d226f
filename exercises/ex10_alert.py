"""Exercise 10: an alert that fires only under a load the student makes, reaches the receiver, and is silenced."""

import requests

from exercises.base import Exercise, LabUnreachable, done, missing, on_node, say
from exercises.rules import loaded, not_loaded, remove
from provision import inventory

ALERT = "HighLoad"
FILE = "load.rules.yml"
HISTORY = 1800  # s: how far back "it also stays quiet" looks
QUIET_SCRAPES = 4  # at rest: quiet this many scrapes in a row on a node that is up (one scrape of a node without the
#                    rule's metric, as when its exporter starts or a collector fails once, is not a node at rest)


def _alertmanager():
    from labclient.alerting import alertmanager_url, notifications

    return alertmanager_url(), notifications


def _true_at(ctx, expr, step):
    """{(step number, node)} where expr had a result over the last half hour; a series without a node label counts
    for all."""
    nodes = ctx.exporter_nodes()
    return {(round(stamp / step), node) for s in ctx.query_range(expr, ctx.at - HISTORY, ctx.at, step)
            for stamp, _ in s["values"] for node in ([s["metric"]["node"]] if "node" in s["metric"] else nodes)}


def _quiet_somewhere(ctx, expr):
    """True when, over the last half hour, the rule's expression was false for a node that was up for QUIET_SCRAPES
    scrapes in a row."""
    step = inventory.seconds(ctx.lab.scrape_interval)
    quiet = _true_at(ctx, 'up{job="node"} == 1', step) - _true_at(ctx, expr, step)
    return any(all((tick + i, node) in quiet for i in range(1, QUIET_SCRAPES)) for tick, node in quiet)


def _silences(url):
    silences = requests.get(f"{url}/api/v2/silences", timeout=5).json()
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
    if not _quiet_somewhere(ctx, rule["query"]):
        return found + [missing(f"{rule['query']} est vrai partout depuis une demi-heure : l'alerte se déclencherait sans aucune "
                                "charge. Choisissez un seuil qu'un nœud au repos ne dépasse pas",
                                f"{rule['query']} has been true everywhere for half an hour: the alert would fire with no "
                                "load at all. Pick a threshold an idle node stays under")]
    found.append(done("au repos, elle reste silencieuse", "at rest, it stays quiet"))
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
            requests.delete(f"{url}/api/v2/silence/{silence['id']}", timeout=5).raise_for_status()
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
            "du récepteur la montre ; amtool silence add alertname=... --alertmanager.url=http://localhost:9093 la fait taire.",
            "To load a node: endless loops bounded by timeout (see the guide). When it fires, the receiver's journal shows "
            "it; amtool silence add alertname=... --alertmanager.url=http://localhost:9093 silences it."),
    ),
    check=check,
    undo=undo,
)
