"""Exercise 12: something is broken (`make exercise 12 start` breaks it in one of several hidden ways, the
drills' faults); the student finds the cause, repairs it, and writes what it was in answers/12.txt.

The fault is kept in .promlab/exercise-12.json only as a salted hash: the check recognises it, a curious
student cannot read it. PROMLAB_FAULT=stopped|route|lockout chooses the kind (for a teacher, and the proof).
"""

import os
import random
import re
import time

from exercises import answers
from exercises.base import REPO, Context, Exercise, done, missing, on_node, say
from exercises.hidden import Hidden

STATE = Hidden(12)
ANSWER = "answers/12.txt"
# Each kind of fault: the nodes it can hit, how to break, how to repair, and words a diagnosis of it uses.
WORDS = {
    "stopped": r"stop|arr[êe]t|inacti|dead|\bdown\b|mort|[ée]teint|not running|ne tourn|coup[ée]",
    "route": r"rout|r[ée]seau|network|unreachable|injoignable|joignable|blackhole",
    "lockout": r"login|connexion|connect|auth|droit|permission|privil|r[ôo]le|user|utilisateur|grant|nologin|acc[èe]s|access",
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
    down = [f"{t['labels']['job']}/{t['labels'].get('node')}" for t in ctx.targets() if t["health"] != "up"]
    metrics = [c["subject_up"] for c in ctx.lab.components.values() if c.get("subject_up")] + ["probe_success"]
    zero = [f"{m}/{s['metric'].get('node')}" for m in metrics for s in ctx.query(f"{m} == 0")]
    return sorted(set(down + zero))


def _context(lab):
    from labclient.prom import Prometheus

    return Context(lab, Prometheus(lab))


def _until(what, timeout):
    """Poll what() (fresh evaluation each time) until it is truthy; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(2)


def start(ws):
    lab = ws.lab()
    if current(lab)[0]:
        ws.say("l'exercice 12 est déjà commencé : réparez, ou `make reset-exercise 12`",
               "exercise 12 is already started: repair it, or `make reset-exercise 12`")
        return
    if not _until(lambda: not unhealthy(_context(lab)), 90):
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
    _until(lambda: _context(lab).query(chosen.seen), 120)
    ws.say("quelque chose vient de casser dans le lab. À vous : trouvez quoi, réparez, et écrivez la cause dans " + ANSWER,
           f"something just broke in the lab. Your turn: find what, repair it, and write the cause in {ANSWER}")


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
    text = (answers.read_text(path, ANSWER)[0] or "").lower() if path.is_file() else ""
    kind, node = details.kind, details.node
    named = {n.name for n in ctx.lab.nodes if re.search(rf"\b{re.escape(n.name)}\b", text)}
    causes = {k for k, words in WORDS.items() if re.search(words, text)}
    if not text.strip():
        found.append(missing(f"{ANSWER} est vide ou absent : écrivez-y la cause (quel nœud, quoi)",
                             f"{ANSWER} is empty or missing: write the cause there (which node, what)"))
    elif node not in named or len(named) > 2 or kind not in causes or len(causes) == len(WORDS):
        found.append(missing(f"{ANSWER} ne nomme pas encore la cause : le nœud touché et ce qui s'y passait, sans liste de suppositions",
                             f"{ANSWER} does not name the cause yet: the node hit and what was wrong there, not a list of guesses"))
    else:
        found.append(done(f"{ANSWER} nomme la cause", f"{ANSWER} names the cause"))
    return found


def undo(ws):
    lab = ws.lab()
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
    ),
    check=check,
    undo=undo,
)
