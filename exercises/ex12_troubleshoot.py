"""Exercise 12: something is broken (`make exercise 12 start` breaks it in one of several hidden ways, the
drills' faults); the student finds the cause, repairs it, and writes the diagnosis in answers/12.yaml: the node, one
cause among the fault table's kinds, and a PromQL query that shows the symptom. Each part is judged: the node and the
cause against the fault that was made, the query by what it returned while the fault held (the faulty node, and no
other) and returns now that the lab is healthy (nothing for it). Free text (notes:) is the student's, never judged.

The fault is kept in .promlab/exercise-12.json only as a salted hash: the check recognises it, a curious
student cannot read it. PROMLAB_FAULT=stopped|route|lockout chooses the kind (for a teacher, and the proof).
"""

import os
import random
import time

import yaml

from exercises import answers
from exercises.base import REPO, Context, Exercise, QueryRefused, done, missing, on_node, say
from exercises.hidden import Hidden
from provision import waiting

STATE = Hidden(12)
ANSWER = "answers/12.yaml"
# The causes a diagnosis chooses from: the fault table's kinds (labclient.faults), said in both languages.
CAUSES = {
    "stopped": say("un service arrêté sur le nœud", "a service stopped on the node"),
    "route": say("le chemin réseau vers le nœud coupé", "the network path to the node cut"),
    "lockout": say("l'exporter ne peut plus se connecter à son serveur", "the exporter can no longer sign in to its server"),
}
SKELETON = {
    "en": """# Exercise 12: your diagnosis (make exercise 12 judges it). One node, one cause, one query.
node:        # the node the fault hit, as lab.yaml names it
cause:       # one of: stopped (a service stopped on the node), route (the network path to the node cut),
             #         lockout (the exporter can no longer sign in to its server)
query:       # PromQL that shows the symptom and singles out that node (and no other)
notes: |     # your own words, if you like: kept, never judged
""",
    "fr": """# Exercice 12 : votre diagnostic (make exercise 12 le juge). Un nœud, une cause, une requête.
node:        # le nœud que la panne a touché, tel que lab.yaml le nomme
cause:       # l'une de : stopped (un service arrêté sur le nœud), route (le chemin réseau vers le nœud coupé),
             #            lockout (l'exporter ne peut plus se connecter à son serveur)
query:       # du PromQL qui montre le symptôme et désigne ce nœud (et aucun autre)
notes: |     # vos propres mots, si vous voulez : gardés, jamais jugés
""",
}


def _faults(lab):
    """{fault id: Fault} the exercise may pick: the drills' own table (labclient.faults.catalogue)."""
    from labclient.faults import catalogue

    return catalogue(lab)


def current(lab):
    """The fault in place (its id and details), or (None, None) when the exercise was not started."""
    faults = _faults(lab)
    fault, _ = STATE.find(faults)
    return (fault, faults[fault]) if fault else (None, None)


def unhealthy(ctx):
    """What Prometheus sees wrong in the lab (targets down, an exporter that cannot reach its server); [] when healthy."""
    down = [f"{t['labels']['job']}/{t['labels'].get('node')}" for t in ctx.active_targets() if t["health"] != "up"]
    metrics = [c["subject_up"] for c in ctx.lab.components.values() if c.get("subject_up")] + ["probe_success"]
    zero = [f"{m}/{s['metric'].get('node')}" for m in metrics for s in ctx.query(f"{m} == 0")]
    return sorted(set(down + zero))


def _context(lab):
    from labclient.prom import Prometheus

    return Context(lab, Prometheus(lab))


def start(ws):
    lab = ws.lab_now()
    if current(lab)[0]:
        ws.say("l'exercice 12 est déjà commencé : réparez, ou `make reset-exercise 12`",
               "exercise 12 is already started: repair it, or `make reset-exercise 12`")
        return
    if not waiting.became(lambda: not unhealthy(_context(lab)), 90, interval=2):
        wrong = ", ".join(unhealthy(_context(lab))[:5])
        raise RuntimeError(f"the lab is not healthy before the exercise starts ({wrong}): run `make status`")
    faults = _faults(lab)
    kind = os.environ.get("PROMLAB_FAULT")
    choices = sorted(f for f, d in faults.items() if not kind or d.kind == kind)
    if not choices:
        raise RuntimeError(f"no fault of kind {kind!r} fits this lab; kinds: stopped, route, lockout")
    fault = random.choice(choices)
    chosen = faults[fault]
    STATE.save(fault, started=time.time())
    on_node(chosen.where, chosen.breaks, check=True)
    # Said only once Prometheus sees it: the student then finds what a real incident would show.
    waiting.became(lambda: _context(lab).query(chosen.seen), 120, interval=2)
    if not (REPO / ANSWER).exists():
        (REPO / ANSWER).parent.mkdir(exist_ok=True)
        (REPO / ANSWER).write_text(SKELETON[ws.lang])
    ws.say("quelque chose vient de casser dans le lab. À vous : trouvez quoi, réparez, et remplissez " + ANSWER + " (le nœud, "
           "la cause, une requête qui montre le symptôme)", f"something just broke in the lab. Your turn: find what, repair "
           f"it, and fill in {ANSWER} (the node, the cause, a query that shows the symptom)")


def read_diagnosis(path):
    """({node, cause, query} as written, or None, [Finding] when the file cannot be read as a diagnosis)."""
    text, found = answers.read_text(path, ANSWER)
    if text is None:
        return None, found
    try:
        form = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" (ligne {where.line + 1})" if where else ""
        return None, [missing(f"{ANSWER} n'est pas du YAML{line} : gardez la forme node:, cause:, query:",
                              f"{ANSWER} is not YAML{line.replace('ligne', 'line')}: keep the form node:, cause:, query:")]
    if not isinstance(form, dict):
        return None, [missing(f"{ANSWER} doit tenir trois champs, node:, cause: et query:",
                              f"{ANSWER} must hold three fields, node:, cause: and query:")]
    return {k: form.get(k) for k in ("node", "cause", "query")}, []


def _judge_node(ctx, details, node):
    names = [n.name for n in ctx.lab.nodes]
    if not isinstance(node, str) or node not in names:
        return missing(f"node: nomme un nœud de lab.yaml ({', '.join(names)}), un seul",
                       f"node: names one node of lab.yaml ({', '.join(names)})")
    if node != details.node:
        return missing(f"node: {node} n'est pas le nœud où était la panne : quelle cible était en panne, et de quel nœud ?",
                       f"node: {node} is not the node the fault was on: which target was down, and whose was it?")
    return done(f"node: {node}, c'est bien là", f"node: {node}, that is where it was")


def _judge_cause(details, cause):
    kinds = ", ".join(CAUSES)
    if not isinstance(cause, str) or cause.strip() not in CAUSES:
        return missing(f"cause: doit nommer une seule des causes : {kinds}", f"cause: must name one of the causes: {kinds}")
    if cause.strip() != details.kind:
        wrong = CAUSES[cause.strip()]
        return missing(f"cause: {cause.strip()} ({wrong.fr}) n'est pas ce qui s'est passé : relisez l'erreur de la cible "
                       "(lastError) ou le *_up de son exporter", f"cause: {cause.strip()} ({wrong.en}) is not what happened: "
                       "read the target's error (lastError) or its exporter's *_up")
    return done(f"cause: {details.kind}, c'est bien elle", f"cause: {details.kind}, that is it")


def _nodes_at(result):
    """({time: {nodes}} of a range query's result, how many series lack a node label)."""
    found, lacking = {}, 0
    for series in result:
        node = series["metric"].get("node")
        if node is None:
            lacking += 1
            continue
        for stamp, _ in series["values"]:
            found.setdefault(round(float(stamp)), set()).add(node)
    return found, lacking


def _judge_query(ctx, details, state, query, healthy):
    """What the query returned while the fault held (the faulty node alone), and now that the lab is healthy (nothing
    for that node): a query that shows the symptom, not one that names the node."""
    if not isinstance(query, str) or not query.strip():
        return missing("query: est vide : une requête PromQL qui montre le symptôme (essayez-la dans Prometheus d'abord)",
                       "query: is empty: a PromQL query that shows the symptom (try it in Prometheus first)")
    started = float(state.get("started", ctx.at - 3600))
    end = ctx.at
    try:
        result = ctx.query_range(query, started, end, 15)
        seen = ctx.query_range(details.seen, started, end, 15)
    except QueryRefused as e:
        return missing(f"query: Prometheus la refuse : {e}", f"query: Prometheus refuses it: {e}")
    during = {round(float(stamp)) for series in seen for stamp, _ in series["values"]}
    got, lacking = _nodes_at(result)
    if lacking:
        return missing("query: ses séries n'ont pas d'étiquette node : elle ne dit pas quel nœud est touché (gardez node)",
                       "query: its series have no node label: it does not say which node is hit (keep node)")
    shown = [got.get(t, set()) for t in sorted(during)]
    others = sorted(set().union(*shown) - {details.node}) if shown else []
    if not any(details.node in nodes for nodes in shown):
        return missing("query: pendant la panne, elle ne renvoyait pas le nœud touché : cherchez ce qui valait 0 ou manquait",
                       "query: while the fault held, it did not return the node hit: look for what was 0 or missing")
    if others:
        return missing(f"query: pendant la panne, elle renvoyait aussi {others[0]}, qui allait bien : elle doit désigner le "
                       "nœud touché seul", f"query: while the fault held, it also returned {others[0]}, which was fine: it "
                       "must single out the node hit")
    if healthy:
        now = {s["metric"].get("node") for s in ctx.query(query)}
        if details.node in now:
            return missing(f"query: sur le lab de nouveau sain, elle renvoie encore {details.node} : elle nomme le nœud au lieu "
                           "de montrer le symptôme", f"query: on the lab healthy again, it still returns {details.node}: it "
                           "names the node instead of showing the symptom")
    return done("query: elle montrait le nœud touché, et lui seul, pendant la panne",
                "query: it showed the node hit, and it alone, while the fault held")


def check(ctx):
    fault, details = current(ctx.lab)
    if not fault:
        return [missing("l'exercice n'a pas commencé : `make exercise 12 start` casse le lab d'une façon cachée",
                        "the exercise has not started: `make exercise 12 start` breaks the lab in a hidden way")]
    found = []
    wrong = unhealthy(ctx)
    if wrong:
        found.append(missing(f"le lab n'est pas encore sain : {len(wrong)} chose(s) en panne dans Prometheus (cibles, *_up, "
                             "probe_success)", f"the lab is not healthy yet: {len(wrong)} thing(s) failing in Prometheus "
                             "(targets, *_up, probe_success)"))
    else:
        found.append(done("le lab est de nouveau sain", "the lab is healthy again"))
    path = REPO / ANSWER
    if not path.is_file() and (REPO / "answers" / "12.txt").is_file():
        return found + [missing(f"le diagnostic se donne maintenant dans {ANSWER} (node:, cause:, query:) ; answers/12.txt "
                                "reste à vous, il n'est pas jugé", f"the diagnosis now goes in {ANSWER} (node:, cause:, query:); "
                                "answers/12.txt stays yours, it is not judged")]
    form, problems = read_diagnosis(path)
    if form is None:
        return found + problems
    _, state = STATE.find([fault])
    return found + [_judge_node(ctx, details, form["node"]), _judge_cause(details, form["cause"]),
                    _judge_query(ctx, details, state or {}, form["query"], healthy=not wrong)]


def undo(ws):
    lab = ws.lab_now()
    fault, details = current(lab)
    if fault:
        if details.repairs:
            on_node(details.where, details.repairs)
        else:
            ws.provision(details.node)
        ws.say("remet en état ce que l'exercice avait cassé", "repairs what the exercise broke")
    STATE.forget()
    ws.remove(ANSWER)


EXERCISE = Exercise(
    number=12,
    level=say("difficile", "hard"),
    title=say("Dépannage : quelque chose est cassé", "Troubleshooting: something is broken"),
    learn=say("diagnostiquer avec ce que le lab montre : cibles, lastError, *_up, journaux",
              "diagnosing with what the lab shows: targets, lastError, *_up, journals"),
    start=start,
    faults=("stopped", "route", "lockout"),
    # The main solution meets every kind of fault; its other right ways one each, each wrong attempt one.
    proven_with={"12-french": ("route",), "12-terse": ("lockout",), "12-not-repaired": ("lockout",), "12-vague": ("route",),
                 "12-guesses": ("stopped",), "12-wrong-node": ("route",), "12-wrong-cause": ("stopped",),
                 "12-names-node": ("stopped",)},
    hints=(
        say("Commencez par ce que Prometheus voit : la page des cibles (quelles cibles sont down, et leur erreur), puis "
            "les métriques *_up et probe_success.", "Start with what Prometheus sees: the targets page (which targets are "
            "down, and their error), then the *_up and probe_success metrics.", page="targets"),
        say("Lisez l'erreur : « connection refused » (rien n'écoute), un délai dépassé ou un réseau injoignable (le chemin), "
            "ou une cible up dont le *_up vaut 0 (l'exporter ne parvient pas à son serveur).",
            "Read the error: 'connection refused' (nothing listens), a timeout or an unreachable network (the path), or a "
            "target that is up with its *_up at 0 (the exporter cannot reach its server)."),
        say("Sur le nœud : systemctl status, journalctl -u <service>, ip route (sur la machine de Prometheus aussi). "
            "vagrant provision <nœud> remet la configuration d'un nœud telle que lab.yaml la décrit.",
            "On the node: systemctl status, journalctl -u <service>, ip route (on Prometheus' machine too). "
            "vagrant provision <node> puts a node's configuration back as lab.yaml describes it."),
        say(f"Dans {ANSWER}, la requête montre le symptôme, pas le nœud : ce qui valait 0 (ou manquait) pendant la panne, "
            "pour tous les nœuds. Essayez-la dans Prometheus avant de réparer : elle ne doit renvoyer que le nœud touché.",
            f"In {ANSWER}, the query shows the symptom, not the node: what was 0 (or missing) while the fault held, over "
            "every node. Try it in Prometheus before you repair: it must return the node hit, and it alone.", page="query"),
    ),
    check=check,
    undo=undo,
)
