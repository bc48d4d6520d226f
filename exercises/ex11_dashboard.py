"""Exercise 11: a dashboard as code (templates/dashboards/workshop.json), provisioned to Grafana."""

import json

import requests

from exercises import answers, grafana_view
from exercises.base import REPO, Exercise, Finding, LabUnreachable, QueryRefused, done, missing, missing_with, say
from labclient.prom import why
from provision.datasets import DATASETS
from provision.roles import grafana

FILE = "templates/dashboards/workshop.json"
BOARDS = REPO / "templates" / "dashboards"
LOADS = {"node_load1", "node_load5", "node_load15"}


def _uid_of(path):
    """A dashboard file's uid, or None when it is not a readable JSON object."""
    try:
        board = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return None
    return board.get("uid") if isinstance(board, dict) else None


def shows_load(expr):
    """True when a query (as Grafana sends it) selects node_load1, 5 or 15, read from its syntax tree."""
    root = answers.tree(expr)
    if root is None:
        return False
    return bool(answers.metric_names(root) & LOADS)


def _sent(ctx, board):
    """[grafana_view.Query]: the board's queries as Grafana would send them, its variables resolved on the lab."""
    uid = ctx.lab.components.get("grafana", {}).get("datasource_uid", "promlab-prometheus")
    return grafana_view.queries(board, grafana_view.label_values(ctx.api, ctx.query), uid, ctx.lab.interval)


def _file_problems(board, text, sent):
    others = {u: p.name for p in BOARDS.glob("*.json") if p.name != "workshop.json" and (u := _uid_of(p))}
    if not board.get("uid"):
        yield say("il lui manque un uid fixe", "it has no fixed uid")
    elif board["uid"] in others:
        yield say(f"son uid {board['uid']} est déjà celui de {others[board['uid']]} : donnez-lui le sien",
                  f"its uid {board['uid']} is already {others[board['uid']]}'s: give it its own")
    if "${DS_" in text or any(q.source == "export" for q in sent):
        yield say("il contient ${DS_...} (un export pour grafana.com) : mettez la source par son uid",
                  "it has ${DS_...} (an export for grafana.com): refer to the datasource by its uid")
    elsewhere = [q for q in sent if q.source == "other"]
    if elsewhere:
        yield missing_with("le panneau « {title} » vise une autre source de données que celle du lab",
                           "the panel '{title}' points at another datasource than the lab's", title=elsewhere[0].panel).text
    if not any(shows_load(q.expr) for q in sent):
        yield say("aucun panneau ne montre la charge (node_load1, 5 ou 15)", "no panel shows the load (node_load1, 5 or 15)")


def _signature(result):
    return frozenset((frozenset(s["metric"].items()), round(float(s["value"][1]), 6)) for s in result)


def _panels_by_meaning(ctx, sent):
    """{panel title: its queries' results together}: what each panel shows on the lab now."""
    found = {}
    for q in sent:
        try:
            found.setdefault(q.panel, []).append(_signature(ctx.query(q.expr)))
        except QueryRefused:
            found.setdefault(q.panel, []).append(frozenset({q.expr}))
    return {title: frozenset(results) for title, results in found.items()}


def _copy_of(ctx, mine):
    """The shipped dashboard the student's is a copy of, by meaning (every panel of theirs shows what a panel of that
    dashboard shows, and they hold at least half of its panels), or None."""
    if not mine:
        return None
    for name in grafana.SHIPPED:
        path = BOARDS / name
        try:
            theirs = _panels_by_meaning(ctx, _sent(ctx, json.loads(path.read_text())))
        except (OSError, ValueError):
            continue
        shipped = set(theirs.values())
        if theirs and set(mine.values()) <= shipped and 2 * len(set(mine.values())) >= len(shipped):
            return name
    return None


def _empty_here(ctx, query):
    """The first data set the query returns something on (a panel of what is down or firing is rightly empty on a
    healthy lab), or None."""
    for dataset in DATASETS.values():
        if not dataset.applies(ctx.lab):
            continue
        try:
            if ctx.on_datasets("query", query.expr, at=dataset.end):
                return dataset
        except QueryRefused:
            return None
    return None


def check(ctx):
    path = REPO / FILE
    if not path.is_file():
        return [missing(f"{FILE} n'existe pas", f"{FILE} does not exist")]
    text, found = answers.read_text(path, FILE)
    if text is None:
        return found
    try:
        board = json.loads(text)
    except json.JSONDecodeError as e:
        return [missing(f"{FILE} n'est pas du JSON valide : {e}", f"{FILE} is not valid JSON: {e}")]
    if not isinstance(board, dict):
        return [missing(f"{FILE} n'est pas un objet JSON (un tableau de bord est un {{...}})",
                        f"{FILE} is not a JSON object (a dashboard is a {{...}})")]
    sent = _sent(ctx, board)
    problems = list(_file_problems(board, text, sent))
    if problems:
        return [missing(p.fr, p.en) for p in problems]
    found = [done(f"{FILE} : uid {board['uid']}, un panneau de charge", f"{FILE}: uid {board['uid']}, a load panel")]
    quiet = []
    for q in (q for q in sent if q.source == "lab"):
        try:
            if ctx.query(q.expr):
                continue
        except QueryRefused as e:
            return found + [missing_with("Prometheus refuse {expr} (panneau « {title} ») : {error}",
                                         "Prometheus refuses {expr} (panel '{title}'): {error}", expr=q.expr, title=q.panel,
                                         error=str(e))]
        elsewhere = _empty_here(ctx, q)
        if elsewhere is None:
            return found + [missing_with("{expr} (panneau « {title} ») ne renvoie rien, ni sur le lab ni sur les jeux de "
                                         "données des exercices", "{expr} (panel '{title}') returns nothing, on the lab or on "
                                         "the exercises' data sets", expr=q.expr, title=q.panel)]
        quiet.append((q, elsewhere))
    copy = _copy_of(ctx, _panels_by_meaning(ctx, [q for q in sent if q.source == "lab"]))
    if copy:
        return found + [missing(f"ses panneaux montrent ce que montrent ceux de {copy}, que le lab fournit : faites le vôtre",
                                f"its panels show what {copy}'s show, which the lab ships: make your own")]
    if quiet:
        q, dataset = quiet[0]
        found.append(Finding(True, missing_with("chaque requête renvoie des données (« {title} » est vide sur le lab sain, et "
                                                "montre quelque chose sur le jeu de données « {name} »)", "every query returns "
                                                "data ('{title}' is empty on the healthy lab, and shows something on the data "
                                                "set '{name}')", title=q.panel, name=dataset.name).text))
    else:
        found.append(done("chaque requête renvoie des données", "every query returns data"))
    return found + _in_grafana(ctx, board)


def _in_grafana(ctx, board):
    lab = ctx.lab
    if not lab.nodes_with("grafana"):
        return [done("(ce lab n'a pas Grafana : le fichier est vérifié, pas son affichage)",
                     "(this lab has no Grafana: the file is checked, not its display)")]
    from labclient.grafana import Grafana

    try:
        reply = Grafana().get(f"/api/dashboards/uid/{board['uid']}")
    except requests.RequestException as e:
        raise LabUnreachable(say(f"Grafana ne répond pas ({why(e)['fr']}) : lancez `make status`, puis `make up` "
                                 "si le lab n'est pas démarré.",
                                 f"Grafana does not answer ({why(e)['en']}): run `make status`, then "
                                 "`make up` if the lab is not up.")) from None
    node = lab.nodes_with("grafana")[0].name
    if reply.status_code != 200:
        return [missing(f"Grafana ne l'a pas (HTTP {reply.status_code}) : provisionnez {node}",
                        f"Grafana does not have it (HTTP {reply.status_code}): provision {node}")]
    if not reply.json().get("meta", {}).get("provisioned"):
        return [missing("Grafana l'a, mais créé à la main, pas depuis le fichier : provisionnez " + node,
                        f"Grafana has it, but made by hand, not from the file: provision {node}")]
    return [done("Grafana l'affiche, provisionné depuis le fichier", "Grafana shows it, provisioned from the file")]


def undo(ws):
    if (ws.repo / FILE).is_file():
        ws.remove(FILE)
        for node in ws.lab_now().nodes_with("grafana"):
            ws.provision(node.name)


EXERCISE = Exercise(
    number=11,
    level=say("difficile", "hard"),
    title=say("Un tableau de bord en code", "A dashboard as code"),
    learn=say("un tableau de bord versionné : uid fixe, source de données par uid, provisionnement",
              "a dashboard under version control: a fixed uid, the datasource by uid, provisioning"),
    hints=(
        say("Les autres fichiers de templates/dashboards/ sont des exemples ; un export de Grafana (Partager → Exporter) "
            "est un bon départ.",
            "The other files in templates/dashboards/ are examples; a Grafana export (Share → Export) is a good start."),
        say("Donnez-lui son propre uid (pas celui d'un tableau du lab) ; la source de données du lab a l'uid "
            "promlab-prometheus. Rangées et variables sont permises.",
            "Give it its own uid (not one of the lab's dashboards'); the lab's datasource has uid promlab-prometheus. "
            "Rows and variables are fine."),
        say("Un panneau sur node_load1, puis provisionnez la machine de Grafana pour qu'elle lise le fichier.",
            "A panel on node_load1, then provision Grafana's machine so that it reads the file."),
    ),
    check=check,
    undo=undo,
)
