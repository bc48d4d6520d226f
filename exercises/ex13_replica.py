"""Exercise 13 (the HA lab, LAB_FILE=examples/ha.yaml): a Prometheus dies. `make exercise 13 start` stops one
of the replicas (which one is kept as a salted hash); the student finds which, writes a query that finds a
dead replica whichever it is, and brings it back. The query is judged on the global view at two moments:
during the outage it must return the dead replica alone, before it nothing."""

import random
import re
import time

import requests

from exercises.base import REPO, Context, Exercise, Finding, QueryRefused, done, missing, on_node, say
from exercises.hidden import Hidden
from provision import inventory

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
        return requests.get(f"{endpoint.host_url}/-/ready", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _wait(what, timeout):
    deadline = time.monotonic() + timeout
    while not what() and time.monotonic() < deadline:
        time.sleep(1)
    return what()


def start(ws):
    from labclient.prom import Prometheus

    lab = ws.lab()
    if not (lab.replicated and lab.global_view):
        raise RuntimeError(NEEDS_HA.en)
    if current(lab)[0]:
        ws.say("l'exercice 13 est déjà commencé : `make reset-exercise 13` pour recommencer",
               "exercise 13 is already started: `make reset-exercise 13` to begin again")
        return
    from labclient.prom import global_view

    servers, view = lab.endpoints("prometheus"), global_view(lab)
    interval = inventory.seconds(lab.scrape_interval)
    # Every replica ready, and the global view showing them all up a little before now (it shows a sample
    # 30 s late): the check reads that moment as "before the outage".
    healthy = lambda: (all(_ready(e) for e in servers)  # noqa: E731
                       and not view.query('up{job="prometheus"} == 0', at=time.time() - 2 * interval))
    if not _wait(healthy, 180):
        raise RuntimeError("a Prometheus replica is not up before the exercise starts: run `make status`")
    dead = random.choice(servers)
    survivor = Prometheus(url=next(e for e in servers if e is not dead).host_url)
    started = time.time()
    on_node(dead.node.name, "systemctl stop prometheus", check=True)
    _wait(lambda: survivor.query(f'up{{job="prometheus", node="{dead.node.name}"}} == 0'), 120)
    STATE.save(dead.node.name, started=started, seen=time.time())
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


def _query_findings(view, lab, state, dead):
    path = REPO / QUERY
    expr = re.sub(r"#.*", "", path.read_text()).strip() if path.is_file() else ""
    if not expr:
        return [missing(f"{QUERY} est vide ou absent : une requête qui renvoie les Prometheus morts",
                        f"{QUERY} is empty or missing: a query that returns the dead Prometheus servers")]
    if any(re.search(rf"\b{re.escape(n.name)}\b|{re.escape(n.ip)}", expr) for n in lab.nodes):
        return [missing(f"{QUERY} nomme un nœud : elle doit trouver n'importe quelle réplique morte, pas celle d'aujourd'hui",
                        f"{QUERY} names a node: it must find whichever replica dies, not today's one")]
    interval = inventory.seconds(lab.scrape_interval)
    try:
        during = view.query(expr, at=state["seen"] + interval)
        before = view.query(expr, at=state["started"] - 2 * interval)
    except QueryRefused as e:
        return [missing(f"la vue globale refuse {QUERY} : {e}", f"the global view refuses {QUERY}: {e}")]
    if before:
        return [missing(f"{QUERY} renvoie quelque chose alors que toutes les répliques tournaient : elle doit ne rien "
                        "renvoyer quand tout va bien", f"{QUERY} returns something while every replica was running: it "
                        "must return nothing when all is well")]
    if _series_nodes(during, lab) != {dead} or len(during) != 1:
        return [missing(f"pendant la panne, {QUERY} ne renvoie pas la seule réplique arrêtée (une série, avec son label node)",
                        f"during the outage, {QUERY} does not return the stopped replica alone (one series, with its node label)")]
    return [done(f"{QUERY} trouve la réplique arrêtée, et rien quand tout va bien",
                 f"{QUERY} finds the stopped replica, and nothing when all is well")]


def check(ctx):
    from labclient.prom import global_view

    lab = ctx.lab
    if not (lab.replicated and lab.global_view):
        return [Finding(False, NEEDS_HA)]
    dead, state = current(lab)
    if not dead:
        return [missing("l'exercice n'a pas commencé : `make exercise 13 start` arrête l'un des Prometheus",
                        "the exercise has not started: `make exercise 13 start` stops one of the Prometheus servers")]
    found = []
    path = REPO / NAMED
    text = path.read_text().lower() if path.is_file() else ""
    named = {n.name for n in lab.nodes_with("prometheus") if re.search(rf"\b{re.escape(n.name)}\b", text)}
    if named == {dead}:
        found.append(done(f"{NAMED} nomme la réplique arrêtée", f"{NAMED} names the stopped replica"))
    else:
        found.append(missing(f"{NAMED} ne nomme pas encore la réplique arrêtée (une seule)",
                             f"{NAMED} does not name the stopped replica yet (one only)"))
    found += _query_findings(Context(lab, global_view(lab), at=ctx.at), lab, state, dead)
    if _ready(next(e for e in lab.endpoints("prometheus") if e.node.name == dead)):
        found.append(done("toutes les répliques tournent de nouveau", "every replica runs again"))
    else:
        found.append(missing("le lab n'est pas encore sain : une réplique est toujours arrêtée",
                             "the lab is not healthy yet: a replica is still down"))
    return found


def undo(ws):
    lab = ws.lab()
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
)
