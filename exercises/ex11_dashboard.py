"""Exercise 11: a dashboard as code (templates/dashboards/workshop.json), provisioned to Grafana."""

import json
import re

import requests

from exercises import answers
from exercises.base import REPO, Exercise, LabUnreachable, QueryRefused, done, missing, say

FILE = "templates/dashboards/workshop.json"
BOARDS = REPO / "templates" / "dashboards"
GRAFANA_RANGES = {"$__rate_interval": "1m", "${__rate_interval}": "1m", "$__interval": "15s", "${__interval}": "15s",
                  "$__range": "1h", "${__range}": "1h"}
LOADS = {"node_load1", "node_load5", "node_load15"}
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def panels(board):
    """Every panel, those inside rows included (a collapsed row keeps its panels in its own `panels`)."""
    for panel in board.get("panels", []):
        yield panel
        yield from panels(panel)


def queries(board):
    return [(p, t) for p in panels(board) if p.get("type") != "row" for t in p.get("targets", []) if t.get("expr")]


def _variables(board):
    return {v.get("name"): v for v in board.get("templating", {}).get("list", [])}


def _fill(expr, variables, node):
    """The query as Grafana would send it: ranges filled in, each variable by its current value (else a node name)."""
    for key, value in GRAFANA_RANGES.items():
        expr = expr.replace(key, value)

    def value_of(match):
        name = next(g for g in match.groups() if g)
        current = (variables.get(name) or {}).get("current", {}).get("value")
        if isinstance(current, list):
            current = "|".join(current)
        return node if current in (None, "", "$__all", "All") else str(current)

    return VARIABLE.sub(value_of, expr)


def _datasource_ok(ref, uid, variables):
    """A panel or query reaching the lab's Prometheus: no datasource (the default one), its uid, or a datasource variable."""
    if ref is None:
        return True
    if isinstance(ref, str):
        return ref in (uid, "Prometheus") or (VARIABLE.fullmatch(ref) is not None and ref.strip("${}") in variables)
    ref_uid = ref.get("uid", "")
    used = VARIABLE.fullmatch(ref_uid or "")
    return ref_uid == uid or (used is not None and next(g for g in used.groups() if g) in variables)


def _uid_of(path):
    """A dashboard file's uid, or None when it is not a readable JSON object."""
    try:
        board = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return None
    return board.get("uid") if isinstance(board, dict) else None


def _shows_load(expr, variables, node):
    """True when a panel's query selects node_load1, 5 or 15 (read from its syntax tree, variables filled in)."""
    root = answers.tree(_fill(expr, variables, node))
    if root is None:
        return "node_load" in expr  # a query the parser does not know: its text is all there is
    return bool(answers.metric_names(root) & LOADS)


def _file_problems(board, text, uid, node):
    others = {u: p.name for p in BOARDS.glob("*.json") if p.name != "workshop.json" and (u := _uid_of(p))}
    variables = _variables(board)
    if not board.get("uid"):
        yield say("il lui manque un uid fixe", "it has no fixed uid")
    elif board["uid"] in others:
        yield say(f"son uid {board['uid']} est déjà celui de {others[board['uid']]} : donnez-lui le sien",
                  f"its uid {board['uid']} is already {others[board['uid']]}'s: give it its own")
    if "${DS_" in text:
        yield say("il contient ${DS_...} (un export pour grafana.com) : mettez la source par son uid",
                  "it has ${DS_...} (an export for grafana.com): refer to the datasource by its uid")
    refs = [p.get("datasource") for p in panels(board) if p.get("type") != "row"] + [t.get("datasource") for _, t in queries(board)]
    if not all(_datasource_ok(r, uid, variables) for r in refs):
        yield say(f"un panneau vise une autre source de données que uid {uid}", f"a panel points at another datasource than uid {uid}")
    if not any(_shows_load(t["expr"], variables, node) for _, t in queries(board)):
        yield say("aucun panneau ne montre la charge (node_load1, 5 ou 15)", "no panel shows the load (node_load1, 5 or 15)")


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
    uid = ctx.lab.components.get("grafana", {}).get("datasource_uid", "promlab-prometheus")
    problems = list(_file_problems(board, text, uid, ctx.exporter_nodes()[0]))
    if problems:
        return [missing(p.fr, p.en) for p in problems]
    found = [done(f"{FILE} : uid {board['uid']}, un panneau de charge", f"{FILE}: uid {board['uid']}, a load panel")]
    node, variables = ctx.exporter_nodes()[0], _variables(board)
    for _, target in queries(board):
        filled = _fill(target["expr"], variables, node)
        try:
            if not ctx.query(filled):
                return found + [missing(f"{filled} ne renvoie rien", f"{filled} returns nothing")]
        except QueryRefused as e:
            return found + [missing(f"Prometheus refuse {filled} : {e}", f"Prometheus refuses {filled}: {e}")]
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
        raise LabUnreachable(say(f"Grafana ne répond pas ({type(e).__name__}) : lancez `make status`.",
                                 f"Grafana does not answer ({type(e).__name__}): run `make status`.")) from None
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
        for node in ws.lab().nodes_with("grafana"):
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
