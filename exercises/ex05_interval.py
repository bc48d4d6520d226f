"""Exercise 5: change the scrape interval in lab.yaml and see Prometheus reload it."""

import re
import subprocess

from exercises.base import REPO, Exercise, done, missing, say

WANTED = "10s"
LINE = re.compile(r"^  scrape_interval: .*$", re.M)


def check(ctx):
    lab, node = ctx.lab, ctx.lab.prometheus_node.name
    if lab.scrape_interval != WANTED:
        return [missing(f"lab.yaml dit encore scrape_interval: {lab.scrape_interval} (attendu : {WANTED})",
                        f"lab.yaml still says scrape_interval: {lab.scrape_interval} (wanted: {WANTED})")]
    found = [done(f"lab.yaml dit {WANTED}", f"lab.yaml says {WANTED}")]
    loaded = ctx.loaded_config()["global"]["scrape_interval"]
    if loaded != WANTED:
        return found + [missing(f"Prometheus tourne encore avec {loaded} : appliquez lab.yaml à {node}",
                                f"Prometheus still runs with {loaded}: apply lab.yaml to {node}")]
    slow = sorted(f"{t['labels']['job']}/{t['labels'].get('node')}" for t in ctx.targets() if t["scrapeInterval"] != WANTED)
    if slow:
        return found + [missing(f"ces cibles ont un autre intervalle : {', '.join(slow)}",
                                f"these targets have another interval: {', '.join(slow)}")]
    return found + [done(f"Prometheus interroge chaque cible toutes les {WANTED}", f"Prometheus scrapes every target every {WANTED}")]


def committed_line():
    """lab.yaml's scrape_interval line as the repository's last commit has it (the teacher's)."""
    text = subprocess.run(["git", "show", "HEAD:lab.yaml"], cwd=REPO, capture_output=True, text=True).stdout
    found = LINE.search(text)
    return found.group(0) if found else None


def undo(ws):
    original = committed_line()
    if original and ws.rewrite("lab.yaml", lambda text: LINE.sub(lambda _: original, text, count=1)):
        ws.provision(ws.lab().prometheus_node.name)


EXERCISE = Exercise(
    number=5,
    level=say("facile", "easy"),
    title=say("Collecter toutes les 10 secondes", "Scrape every 10 seconds"),
    learn=say("lab.yaml décrit le lab ; le provisionnement vérifie la configuration et recharge Prometheus",
              "lab.yaml describes the lab; provisioning checks the configuration and reloads Prometheus"),
    hints=(
        say("Le réglage est dans la section lab: de lab.yaml.", "The setting is in the lab: section of lab.yaml."),
        say("Changer lab.yaml ne change pas les machines : il faut provisionner celle de Prometheus (vagrant provision <nœud>).",
            "Changing lab.yaml does not change the machines: provision Prometheus' machine (vagrant provision <node>)."),
        say("La page des cibles montre l'intervalle de chaque cible : 10s partout quand c'est fini.",
            "The targets page shows each target's interval: 10s everywhere when it is done."),
    ),
    check=check,
    undo=undo,
)
