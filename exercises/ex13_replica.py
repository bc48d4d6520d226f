"""Exercise 13 (the HA lab, LAB_FILE=examples/ha.yaml): a Prometheus dies. `make exercise 13 start` stops one
of the replicas (which one is kept as a salted hash); the student finds which, writes a query that finds a
dead replica whichever it is, and brings it back. The query is judged on the exercises' data sets of the replicas
(provision/datasets.py): while every replica runs it returns nothing, with one stopped the dead one alone, whichever."""

import random
import re
import time

from exercises import answers
from exercises.base import REPO, Exercise, Finding, QueryRefused, done, missing, on_node, say
from exercises.hidden import Hidden
from labclient import http
from provision import waiting
from provision.datasets import DATASETS

STATE = Hidden(13)
NAMED = "answers/13.txt"
QUERY = "answers/13.promql"
NEEDS_HA = say("cet exercice demande le lab haute disponibilité : `LAB_FILE=examples/ha.yaml make up`, puis "
               "`LAB_FILE=examples/ha.yaml make exercise 13 start`",
               "this exercise needs the high-availability lab: `LAB_FILE=examples/ha.yaml make up`, then "
               "`LAB_FILE=examples/ha.yaml make exercise 13 start`")


def current(lab):
    """(the stopped replica's name, the state) once started, else (None, None)."""
    return STATE.find([n.name for n in lab.nodes_with("prometheus")])


def _ready(endpoint):
    try:
        return http.get(f"{endpoint.host_url}/-/ready").status_code == 200
    except http.Unreachable:
        return False


def start(ws):
    from labclient.prom import Prometheus

    lab = ws.lab_now()
    if not (lab.replicated and lab.global_view):
        raise RuntimeError(NEEDS_HA.en)
    if current(lab)[0]:
        ws.say("l'exercice 13 est déjà commencé : `make reset-exercise 13` pour recommencer",
               "exercise 13 is already started: `make reset-exercise 13` to begin again")
        return
    servers = lab.endpoints("prometheus")
    if not waiting.became(lambda: all(_ready(e) for e in servers), 180, interval=1):
        raise RuntimeError("a Prometheus replica is not up before the exercise starts: run `make status`")
    dead = random.choice(servers)
    survivor = Prometheus(url=next(e for e in servers if e is not dead).host_url)
    on_node(dead.node.name, "systemctl stop prometheus", check=True)
    waiting.became(lambda: survivor.query(f'up{{job="prometheus", node="{dead.node.name}"}} == 0'), 120, interval=1)
    STATE.save(dead.node.name, started=time.time())
    ws.say("un des Prometheus vient de s'arrêter. À vous : lequel ? Écrivez son nom dans " + NAMED + ", une requête qui "
           "trouve un Prometheus mort dans " + QUERY + ", puis ramenez-le",
           f"one of the Prometheus servers just stopped. Your turn: which one? Write its name in {NAMED}, a query that "
           f"finds a dead Prometheus in {QUERY}, then bring it back")


def _series_nodes(result, lab):
    """The replicas a query's result points at (by its node label, or its instance address)."""
    found = set()
    for series in result:
        labels = series["metric"]
        for endpoint in lab.endpoints("prometheus"):
            if labels.get("node") == endpoint.node.name or labels.get("instance") == endpoint.address:
                found.add(endpoint.node.name)
    return found


def _query_findings(ctx):
    expr, found = answers.read(QUERY.removeprefix("answers/"))
    return found if expr is None else found + judge(ctx, expr)


def judge(ctx, expr):
    """The query judged on the data sets of the replicas: nothing while every replica runs (though another target is
    down), the dead replica alone when one is stopped, whichever it is."""
    found = []
    cases = [d for d in DATASETS.values() if d.name.startswith("replica") and d.applies(ctx.lab)]
    replicas = [e.node.name for e in ctx.lab.endpoints("prometheus")]
    for dataset in cases:
        try:
            result = ctx.on_datasets("query", expr, at=dataset.end)
        except QueryRefused as e:
            return found + [missing(f"Prometheus refuse {QUERY} : {e}", f"Prometheus refuses {QUERY}: {e}")]
        fr, en = dataset.describe(ctx.lab)
        pointed = _series_nodes(result, ctx.lab)
        dead = [r for i, r in enumerate(replicas) if dataset.name == f"replica-{i + 1}-down"]
        if not dead and result:
            return found + [missing(f"sur le jeu de données « {dataset.name} » ({fr}), {QUERY} renvoie {len(result)} série(s) : "
                                    "elle ne doit rien renvoyer quand toutes les répliques tournent",
                                    f"on the data set '{dataset.name}' ({en}), {QUERY} returns {len(result)} series: it must "
                                    "return nothing while every replica runs")]
        if dead and (pointed != set(dead) or len(result) != 1):
            return found + [missing(f"sur le jeu de données « {dataset.name} » ({fr}), {QUERY} ne renvoie pas la seule réplique "
                                    f"{dead[0]} (une série, avec son étiquette node) : elle en renvoie {len(result)}",
                                    f"on the data set '{dataset.name}' ({en}), {QUERY} does not return the replica {dead[0]} "
                                    f"alone (one series, with its node label): it returns {len(result)}")]
    names = ", ".join(d.name for d in cases)
    return found + [done(f"sur les jeux de données ({names}), {QUERY} trouve la réplique arrêtée, quelle qu'elle soit, et "
                         "rien quand tout va bien", f"on the data sets ({names}), {QUERY} finds the stopped replica, "
                         "whichever it is, and nothing when all is well")]


def check(ctx):
    lab = ctx.lab
    if not (lab.replicated and lab.global_view):
        return [Finding(False, NEEDS_HA)]
    dead, _ = current(lab)
    found = _query_findings(ctx)  # judged on the data sets: it needs no outage
    if not dead:
        return found + [missing("l'exercice n'a pas commencé : `make exercise 13 start` arrête l'un des Prometheus",
                                "the exercise has not started: `make exercise 13 start` stops one of the Prometheus servers")]
    path = REPO / NAMED
    text = (answers.read_text(path, NAMED)[0] or "").lower() if path.is_file() else ""
    named = {n.name for n in lab.nodes_with("prometheus") if re.search(rf"\b{re.escape(n.name)}\b", text)}
    if named == {dead}:
        found.append(done(f"{NAMED} nomme la réplique arrêtée", f"{NAMED} names the stopped replica"))
    else:
        found.append(missing(f"{NAMED} ne nomme pas encore la réplique arrêtée (une seule)",
                             f"{NAMED} does not name the stopped replica yet (one only)"))
    if _ready(next(e for e in lab.endpoints("prometheus") if e.node.name == dead)):
        found.append(done("toutes les répliques tournent de nouveau", "every replica runs again"))
    else:
        found.append(missing("le lab n'est pas encore sain : une réplique est toujours arrêtée",
                             "the lab is not healthy yet: a replica is still down"))
    return found


def undo(ws):
    lab = ws.lab_now()
    dead, _ = current(lab)
    if dead:
        on_node(dead, "systemctl start prometheus")
        ws.say("redémarre le Prometheus que l'exercice avait arrêté", "starts the Prometheus the exercise stopped")
    STATE.forget()
    ws.remove(NAMED)
    ws.remove(QUERY)


EXERCISE = Exercise(
    number=13,
    level=say("difficile", "hard"),
    title=say("Un Prometheus meurt (lab haute disponibilité)", "A Prometheus dies (high-availability lab)"),
    learn=say("des répliques et une vue globale : ce qui tient quand un Prometheus tombe, et comment le voir",
              "replicas and a global view: what holds when a Prometheus falls, and how to see it"),
    lab_file="examples/ha.yaml",
    replicated=True,
    start=start,
    hints=(
        say("La vue globale répond toujours, et Grafana aussi : quel Prometheus manque ? Chaque réplique interroge "
            "l'autre : regardez up{job=\"prometheus\"} sur celle qui vit, ou dans la vue globale.",
            "The global view still answers, and so does Grafana: which Prometheus is missing? Each replica scrapes the "
            "other: look at up{job=\"prometheus\"} on the one alive, or in the global view."),
        say("Une réplique que l'autre n'arrive plus à interroger a up à 0. Une requête qui ne nomme aucun nœud trouve "
            "celle qui meurt, quelle qu'elle soit, et ne renvoie rien quand tout va bien.",
            "A replica the other cannot scrape any more has up at 0. A query that names no node finds whichever one "
            "dies, and returns nothing when all is well."),
        say("Pour la ramener : `vagrant ssh <nœud> -c 'sudo systemctl start prometheus'`, ou `vagrant provision <nœud>`. "
            "Comparez ensuite up{node=\"node6\"}[10m] sur la réplique revenue et dans la vue globale.",
            "To bring it back: `vagrant ssh <node> -c 'sudo systemctl start prometheus'`, or `vagrant provision <node>`. "
            "Then compare up{node=\"node6\"}[10m] on the replica that came back and in the global view."),
    ),
    check=check,
    undo=undo,
    judges={"13.promql": judge},
)
