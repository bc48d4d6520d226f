"""One check per exercise, against the running lab. Each returns a list of Findings: a point of
the exercise, done or not, said in French and in English (what is done, or what is missing).

The checks read what the student changed (lab.yaml, answers/, templates/) and ask the live
lab (Prometheus' API, Vagrant, Grafana when the lab has it) whether it took effect.
"""

import json
import re
from dataclasses import dataclass

import requests

from labtests.grafana import base_url as grafana_url
from labtests.prom import Prometheus
from labtests.status import machines
from provision import inventory

REPO = inventory.REPO
ANSWER_1 = REPO / "answers" / "1.promql"
BOARD_6 = REPO / "templates" / "dashboards" / "workshop.json"
WANTED_INTERVAL = "10s"
NEW_NODE = "node7"
EXPORTER_NODE = "node6"
PROMLAB_GROUPS = re.compile(r"^promlab-")


@dataclass
class Finding:
    done: bool
    fr: str
    en: str


def _query(prometheus, expr):
    reply = prometheus.get("/api/v1/query", query=expr).json()
    if reply.get("status") != "success":
        raise ValueError(reply.get("error", "unknown error"))
    return reply["data"]["result"]


def exercise_1(lab, prometheus):
    """The memory node3 uses, found with PromQL (the query in answers/1.promql)."""
    if not ANSWER_1.is_file():
        return [Finding(False, "answers/1.promql n'existe pas : écrivez-y votre requête PromQL",
                        "answers/1.promql does not exist: write your PromQL query into it")]
    expr = ANSWER_1.read_text().strip()
    found = [Finding(True, f"votre requête : {expr}", f"your query: {expr}")]
    try:
        result = _query(prometheus, expr)
    except ValueError as e:
        return found + [Finding(False, f"Prometheus refuse la requête : {e}", f"Prometheus refuses the query: {e}")]
    if len(result) != 1:
        return found + [Finding(False, f"elle renvoie {len(result)} séries au lieu d'une : ne gardez que node3 ({{node=\"node3\"}})",
                                f"it returns {len(result)} series, not one: keep only node3 ({{node=\"node3\"}})")]
    total = float(_query(prometheus, 'node_memory_MemTotal_bytes{node="node3"}')[0]["value"][1])
    available = float(_query(prometheus, 'node_memory_MemAvailable_bytes{node="node3"}')[0]["value"][1])
    value = float(result[0]["value"][1])
    used = total - available
    # Bytes, a share or a percentage of the memory in use are all right answers (5 % tolerance: it moves).
    if any(abs(value - want) <= 0.05 * want for want in (used, used / total, 100 * used / total)):
        return found + [Finding(True, f"elle donne la mémoire utilisée de node3 ({value:.4g})",
                                f"it gives the memory node3 uses ({value:.4g})")]
    return found + [Finding(False, f"elle donne {value:.4g}, ce n'est pas la mémoire utilisée de node3 (ni en octets, "
                                   "ni en part, ni en pourcentage) : regardez MemTotal et MemAvailable",
                            f"it gives {value:.4g}, which is not the memory node3 uses (in bytes, as a share or a percentage): "
                            "look at MemTotal and MemAvailable")]


def exercise_2(lab, prometheus):
    """The scrape interval is 10 s, in lab.yaml and in the running Prometheus, for every target."""
    if lab.scrape_interval != WANTED_INTERVAL:
        return [Finding(False, f"lab.yaml dit encore scrape_interval: {lab.scrape_interval} (attendu : {WANTED_INTERVAL})",
                        f"lab.yaml still says scrape_interval: {lab.scrape_interval} (wanted: {WANTED_INTERVAL})")]
    found = [Finding(True, f"lab.yaml dit {WANTED_INTERVAL}", f"lab.yaml says {WANTED_INTERVAL}")]
    loaded = re.search(r"scrape_interval: (\S+)", prometheus.api("status/config")["yaml"]).group(1)
    if loaded != WANTED_INTERVAL:
        return found + [Finding(False, f"Prometheus tourne encore avec {loaded} : lancez `vagrant provision {lab.prometheus_node.name}`",
                                f"Prometheus still runs with {loaded}: run `vagrant provision {lab.prometheus_node.name}`")]
    slow = sorted(f"{t['labels']['job']}/{t['labels'].get('node')}" for t in prometheus.targets() if t["scrapeInterval"] != WANTED_INTERVAL)
    if slow:
        return found + [Finding(False, f"ces cibles ont un autre intervalle : {', '.join(slow)}",
                                f"these targets have another interval: {', '.join(slow)}")]
    return found + [Finding(True, f"Prometheus interroge chaque cible toutes les {WANTED_INTERVAL}",
                            f"Prometheus scrapes every target every {WANTED_INTERVAL}")]


def exercise_3(lab, prometheus):
    """node7 exists in lab.yaml with node_exporter, runs, and Prometheus scrapes it."""
    if NEW_NODE not in [n.name for n in lab.nodes]:
        return [Finding(False, f"lab.yaml n'a pas de {NEW_NODE} : ajoutez-le à la fin de nodes:",
                        f"lab.yaml has no {NEW_NODE}: add it at the end of nodes:")]
    node = lab.node(NEW_NODE)
    if "node_exporter" not in node.roles:
        return [Finding(False, f"{NEW_NODE} n'a pas le rôle node_exporter", f"{NEW_NODE} lacks the node_exporter role")]
    found = [Finding(True, f"lab.yaml a {NEW_NODE} ({node.ip}) avec node_exporter",
                     f"lab.yaml has {NEW_NODE} ({node.ip}) with node_exporter")]
    state = machines().get(NEW_NODE, ("not created",))[0]
    if state != "running":
        return found + [Finding(False, f"la machine {NEW_NODE} est « {state} » : lancez `vagrant up {NEW_NODE}`",
                                f"machine {NEW_NODE} is '{state}': run `vagrant up {NEW_NODE}`")]
    found.append(Finding(True, f"la machine {NEW_NODE} tourne", f"machine {NEW_NODE} runs"))
    target = prometheus.target("node", NEW_NODE)
    if not target:
        return found + [Finding(False, f"Prometheus ne connaît pas encore {NEW_NODE} : `vagrant provision {lab.prometheus_node.name}`",
                                f"Prometheus does not know {NEW_NODE} yet: `vagrant provision {lab.prometheus_node.name}`")]
    if target["health"] != "up":
        return found + [Finding(False, f"la cible de {NEW_NODE} est {target['health']} : {target['lastError']}",
                                f"{NEW_NODE}'s target is {target['health']}: {target['lastError']}")]
    return found + [Finding(True, f"Prometheus interroge {NEW_NODE} et la cible est up",
                            f"Prometheus scrapes {NEW_NODE}, its target is up")]


def exercise_4(lab, prometheus):
    """Prometheus scrapes an exporter on node6 besides node_exporter (a role in lab.yaml, or by hand)."""
    mine = [t for t in prometheus.targets() if t["labels"].get("node") == EXPORTER_NODE
            and t["labels"]["job"] != "node" and not t["labels"]["job"].startswith("blackbox_")]
    if not mine:
        return [Finding(False, f"Prometheus n'interroge rien d'autre que node_exporter sur {EXPORTER_NODE} : ajoutez un exporter "
                               "(rôle dans lab.yaml, ou à la main dans templates/prometheus.yml.j2) puis provisionnez",
                        f"Prometheus scrapes nothing but node_exporter on {EXPORTER_NODE}: add an exporter (a role in lab.yaml, "
                        "or by hand in templates/prometheus.yml.j2), then provision")]
    down = [t for t in mine if t["health"] != "up"]
    found = [Finding(True, f"Prometheus interroge {t['labels']['job']} ({t['labels']['instance']}) sur {EXPORTER_NODE}",
                     f"Prometheus scrapes {t['labels']['job']} ({t['labels']['instance']}) on {EXPORTER_NODE}") for t in mine]
    if down:
        t = down[0]
        return found + [Finding(False, f"mais la cible {t['labels']['instance']} est {t['health']} : {t['lastError']}",
                                f"but target {t['labels']['instance']} is {t['health']}: {t['lastError']}")]
    return found + [Finding(True, "et ses cibles sont up", "and its targets are up")]


def _student_load_rules(prometheus):
    groups = prometheus.api("rules", type="alert")["groups"]
    return [r for g in groups if not PROMLAB_GROUPS.match(g["name"]) for r in g["rules"] if "node_load" in r["query"]]


def exercise_5(lab, prometheus):
    """An alert rule of the student's on the load (node_load1/5/15), loaded by Prometheus, that has fired."""
    rules = _student_load_rules(prometheus)
    if not rules:
        return [Finding(False, "Prometheus n'a aucune règle d'alerte à vous sur la charge (node_load1, 5 ou 15) : écrivez-la dans "
                               "/etc/prometheus/rules/<nom>.rules.yml sur node1, vérifiez-la avec promtool, rechargez Prometheus",
                        "Prometheus has no alert rule of yours on the load (node_load1, 5 or 15): write it in "
                        "/etc/prometheus/rules/<name>.rules.yml on node1, check it with promtool, reload Prometheus")]
    names = [r["name"] for r in rules]
    found = [Finding(True, f"Prometheus a chargé votre règle {', '.join(names)}", f"Prometheus loaded your rule {', '.join(names)}")]
    fired = [name for name in names
             if _query(prometheus, f'max_over_time(ALERTS{{alertname="{name}", alertstate="firing"}}[1h])')]
    if not fired:
        states = ", ".join(f"{r['name']}: {r['state']}" for r in rules)
        return found + [Finding(False, f"elle n'a pas encore sonné ({states}) : baissez le seuil ou chargez un nœud",
                                f"it has not fired yet ({states}): lower the threshold or load a node")]
    return found + [Finding(True, f"{fired[0]} a sonné (firing)", f"{fired[0]} has fired")]


def _exprs(board):
    return [t["expr"] for p in board.get("panels", []) for t in p.get("targets", [])]


def exercise_6(lab, prometheus):
    """A dashboard file templates/dashboards/workshop.json with a load panel whose queries return data."""
    if not BOARD_6.is_file():
        return [Finding(False, "templates/dashboards/workshop.json n'existe pas", "templates/dashboards/workshop.json does not exist")]
    try:
        board = json.loads(BOARD_6.read_text())
    except json.JSONDecodeError as e:
        return [Finding(False, f"workshop.json n'est pas du JSON valide : {e}", f"workshop.json is not valid JSON: {e}")]
    uid = lab.components["grafana"]["datasource_uid"]
    problems = []
    if not board.get("uid"):
        problems.append(("il lui manque un uid fixe", "it has no fixed uid"))
    if "${DS_" in BOARD_6.read_text():
        problems.append(("il contient ${DS_...} : mettez la source par son uid", "it has ${DS_...}: refer to the datasource by uid"))
    if any(p.get("datasource", {}).get("uid") != uid for p in board.get("panels", [])):
        problems.append((f"un panneau n'a pas la source de données uid {uid}", f"a panel lacks the datasource uid {uid}"))
    if not any("node_load" in e for e in _exprs(board)):
        problems.append(("aucun panneau ne montre la charge (node_load1, 5 ou 15)", "no panel shows the load (node_load1, 5 or 15)"))
    if problems:
        return [Finding(False, fr, en) for fr, en in problems]
    found = [Finding(True, f"workshop.json : uid {board['uid']}, un panneau de charge", f"workshop.json: uid {board['uid']}, a load panel")]
    for expr in _exprs(board):
        filled = expr.replace("$__rate_interval", "1m").replace("$node", "node3")
        try:
            data = _query(prometheus, filled)
        except ValueError as e:
            return found + [Finding(False, f"Prometheus refuse {filled} : {e}", f"Prometheus refuses {filled}: {e}")]
        if not data:
            return found + [Finding(False, f"{filled} ne renvoie rien", f"{filled} returns nothing")]
    found.append(Finding(True, "chaque requête renvoie des données", "every query returns data"))
    if not lab.nodes_with("grafana"):
        return found + [Finding(True, "(ce lab n'a pas Grafana : le fichier est vérifié, pas son affichage)",
                                "(this lab has no Grafana: the file is checked, not its display)")]
    reply = requests.get(f"{grafana_url()}/api/dashboards/uid/{board['uid']}", auth=_grafana_auth(lab), timeout=5)
    if reply.status_code != 200:
        return found + [Finding(False, f"Grafana ne l'a pas (HTTP {reply.status_code}) : `vagrant provision {lab.prometheus_node.name}`",
                                f"Grafana does not have it (HTTP {reply.status_code}): `vagrant provision {lab.prometheus_node.name}`")]
    return found + [Finding(True, "Grafana l'affiche", "Grafana shows it")]


def _grafana_auth(lab):
    grafana = lab.components["grafana"]
    return grafana["admin_user"], grafana["admin_password"]


EXERCISES = {1: exercise_1, 2: exercise_2, 3: exercise_3, 4: exercise_4, 5: exercise_5, 6: exercise_6}


def run(number):
    """The findings of exercise `number` on the lab as lab.yaml now describes it."""
    lab = inventory.load()
    return EXERCISES[number](lab, Prometheus(lab))
