"""Exercise 5: change the scrape interval in lab.yaml and see Prometheus reload it."""

from exercises import yamledit
from exercises.base import Exercise, done, lab_file, missing, say
from exercises.workspace import committed
from provision.schema import seconds

WANTED = 10  # seconds, however it is written (10s, 10000ms)


def check(ctx):
    lab, node, name = ctx.lab, ctx.lab.prometheus_node.name, lab_file("lab", "scrape_interval")
    if lab.interval != WANTED:
        return [missing(f"{name} dit encore scrape_interval: {lab.scrape_interval} (attendu : {WANTED} secondes)",
                        f"{name} still says scrape_interval: {lab.scrape_interval} (wanted: {WANTED} seconds)")]
    found = [done(f"{name} dit {lab.scrape_interval}", f"{name} says {lab.scrape_interval}")]
    loaded = ctx.loaded_config()["global"]["scrape_interval"]
    if seconds(loaded) != WANTED:
        return found + [missing(f"Prometheus tourne encore avec {loaded} : appliquez {name} à {node}",
                                f"Prometheus still runs with {loaded}: apply {name} to {node}")]
    slow = sorted(f"{t['labels']['job']}/{t['labels'].get('node')} ({t['scrapeInterval']})" for t in ctx.active_targets()
                  if seconds(t["scrapeInterval"]) != WANTED)
    if slow:
        return found + [missing(f"ces cibles ont un autre intervalle : {', '.join(slow[:5])}",
                                f"these targets have another interval: {', '.join(slow[:5])}")]
    return found + [done(f"Prometheus interroge chaque cible toutes les {WANTED} s", f"Prometheus scrapes every target every {WANTED} s")]


def _back(text, original):
    """lab.yaml with lab.scrape_interval put back to `original` (the committed value), wherever and however it is."""
    node = yamledit.get(yamledit.get(yamledit.parse(text), "lab"), "scrape_interval")
    if node is None or node.value == original:
        return text
    return yamledit.apply(text, [yamledit.replace_cut(node, original)])


def undo(ws):
    name = lab_file("lab", "scrape_interval")
    original = committed(name, lambda root: yamledit.value(yamledit.get(yamledit.get(root, "lab"), "scrape_interval")))
    if original and ws.rewrite(name, lambda text: _back(text, original)):
        ws.provision(ws.lab_now().prometheus_node.name)


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
            "The targets page shows each target's interval: 10s everywhere when it is done.", page="targets"),
    ),
    check=check,
    undo=undo,
)
