"""Exercise 6: add a machine (node7) to lab.yaml, bring it up, have Prometheus scrape it."""

from exercises import yamledit
from exercises.base import Exercise, done, lab_file, missing, say
from exercises.workspace import committed

NEW = "node7"


def check(ctx):
    from labclient.ssh import machines

    lab, prometheus_node, name = ctx.lab, ctx.lab.prometheus_node.name, lab_file("nodes")
    if NEW not in [n.name for n in lab.nodes]:
        return [missing(f"{name} n'a pas de {NEW} : ajoutez-le à la fin de nodes:",
                        f"{name} has no {NEW}: add it at the end of nodes:")]
    node = lab.node(NEW)
    if "node_exporter" not in node.roles:
        return [missing(f"{NEW} n'a pas le rôle node_exporter", f"{NEW} lacks the node_exporter role")]
    found = [done(f"{name} a {NEW} ({node.ip}) avec node_exporter", f"{name} has {NEW} ({node.ip}) with node_exporter")]
    state = machines().get(NEW, ("not created",))[0]
    if state != "running":
        return found + [missing(f"la machine {NEW} est « {state} » : créez-la", f"machine {NEW} is '{state}': bring it up")]
    found.append(done(f"la machine {NEW} tourne", f"machine {NEW} runs"))
    target = [t for t in ctx.active_targets() if t["labels"]["job"] == "node" and t["labels"].get("node") == NEW]
    if not target:
        return found + [missing(f"Prometheus ne connaît pas encore {NEW} : provisionnez {prometheus_node}",
                                f"Prometheus does not know {NEW} yet: provision {prometheus_node}")]
    if target[0]["health"] != "up":
        return found + [missing(f"la cible de {NEW} est {target[0]['health']} : {target[0]['lastError']}",
                                f"{NEW}'s target is {target[0]['health']}: {target[0]['lastError']}")]
    return found + [done(f"Prometheus interroge {NEW} et la cible est up", f"Prometheus scrapes {NEW}, its target is up")]


def without_node(text, name):
    """lab.yaml without the entries of `nodes` named `name`, whatever their style."""
    nodes = yamledit.get(yamledit.parse(text), "nodes")
    if nodes is None:
        return text
    return yamledit.apply(text, [yamledit.item_cut(text, nodes, item) for item in yamledit.items(nodes)
                                 if yamledit.value(yamledit.get(item, "name")) == name])


def _committed_names(root):
    return [str((n or {}).get("name")) for n in (yamledit.value(yamledit.get(root, "nodes")) or []) if isinstance(n, dict)]


def undo(ws):
    lab = ws.lab_now()
    if NEW not in [n.name for n in lab.nodes]:
        return
    name = lab_file("nodes")
    if NEW in (committed(name, _committed_names) or []):
        ws.say(f"{NEW} est dans le {name} du dépôt : ce n'est pas celui de l'exercice, il reste",
               f"{NEW} is in the repository's {name}: not the exercise's, it stays")
        return
    # Destroy while the inventory still names the node: the Vagrantfile only knows its nodes.
    ws.run("vagrant", "destroy", "--force", NEW, what=f"destroying {NEW}")
    if ws.rewrite(name, lambda text: without_node(text, NEW)):
        ws.provision(lab.prometheus_node.name)


EXERCISE = Exercise(
    number=6,
    title=say("Ajouter node7", "Add node7"),
    learn=say("une machine de plus : une entrée dans lab.yaml, et Prometheus la découvre au provisionnement",
              "one more machine: one entry in lab.yaml, and Prometheus learns of it when provisioned"),
    hints=(
        say("Regardez les entrées de nodes: dans lab.yaml ; docs/fr/lab-yaml.md dit ce que chaque clé veut dire.",
            "Look at the entries under nodes: in lab.yaml; docs/en/lab-yaml.md says what each key means."),
        say("Sans ip, le nœud prend la prochaine adresse libre. Ensuite : vagrant up <nœud>.",
            "Without ip, the node gets the next free address. Then: vagrant up <node>."),
        say("Prometheus ne connaît que ce que lab.yaml disait à son dernier provisionnement.",
            "Prometheus only knows what lab.yaml said when it was last provisioned."),
    ),
    check=check,
    undo=undo,
)
