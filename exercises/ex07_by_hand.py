"""Exercise 7: install an exporter on node6 by hand, and add its target in templates/prometheus.yml.j2."""

import re
from urllib.parse import urlparse

from exercises.base import REPO, Exercise, done, missing, on_node, say
from exercises.workspace import drop_items, items_holding

NODE = "node6"
PACKAGE, PORT = "prometheus-process-exporter", 9256  # what the instructions install
TEMPLATE = "templates/prometheus.yml.j2"
OWN = (r"--- Your own targets", r"--- End of your own targets")
JOB = r"\s*- job_name:"


def _address(target):
    return urlparse(target["scrapeUrl"]).netloc


def hand_targets(ctx):
    """Live targets on the node's address that lab.yaml does not generate, and that the template's own section holds."""
    lab = ctx.lab
    generated = {"prometheus"} | {j["name"] for j in lab.scrape_jobs() + lab.probe_jobs()}
    template = (REPO / TEMPLATE).read_text()
    ip = lab.node(NODE).ip
    return [t for t in ctx.targets() if _address(t).startswith(f"{ip}:") and t["labels"]["job"] not in generated
            and items_holding(template, _address(t), JOB, within=OWN)]


def check(ctx):
    lab = ctx.lab
    if NODE not in [n.name for n in lab.nodes]:
        return [missing(f"lab.yaml n'a pas de {NODE}", f"lab.yaml has no {NODE}")]
    node = lab.node(NODE)
    taken = {lab.components[r]["port"] for r in node.roles} | {22}
    mine = hand_targets(ctx)
    if not mine:
        roles = [r for r in node.roles if r != "node_exporter" and lab.components[r].get("job")]
        if roles:
            return [missing(f"{NODE} a le rôle {roles[0]} dans lab.yaml : c'est l'autre façon. Ici, installez l'exporter "
                            f"à la main et écrivez sa cible dans {TEMPLATE}",
                            f"{NODE} has the {roles[0]} role in lab.yaml: that is the other way. Here, install the exporter "
                            f"by hand and write its target in {TEMPLATE}")]
        return [missing(f"Prometheus n'interroge aucune cible de {NODE} écrite à la main dans la section « Your own targets » "
                        f"de {TEMPLATE}", f"Prometheus scrapes no target of {NODE} written by hand in the 'Your own targets' "
                        f"section of {TEMPLATE}")]
    theirs = [t for t in mine if int(_address(t).rsplit(":", 1)[1]) in taken]
    if len(theirs) == len(mine):
        return [missing(f"{_address(theirs[0])} est déjà interrogé par le lab (node_exporter) : installez un autre exporter, "
                        "sur son propre port", f"{_address(theirs[0])} is already scraped by the lab (node_exporter): install "
                        "another exporter, on its own port")]
    target = next(t for t in mine if t not in theirs)
    found = [done(f"votre cible {_address(target)} (job {target['labels']['job']}) est dans {TEMPLATE}",
                  f"your target {_address(target)} (job {target['labels']['job']}) is in {TEMPLATE}")]
    if target["labels"].get("node") != NODE:
        found.append(missing(f"elle n'a pas l'étiquette node: {NODE} : les tableaux de bord et les tests du lab regroupent "
                             "par node (labels: sous static_configs)",
                             f"it has no node: {NODE} label: the lab's dashboards and tests group by node (labels: under "
                             "static_configs)"))
    if target["health"] != "up":
        return found + [missing(f"elle est {target['health']} : {target['lastError'] or 'pas encore interrogée'} — l'exporter "
                                f"tourne-t-il sur {NODE} ?", f"it is {target['health']}: {target['lastError'] or 'not scraped yet'} "
                                f"— does the exporter run on {NODE}?")]
    return found + [done("elle est up", "it is up")]


def edit_own_job(ws, edit):
    """Apply edit(text, item regex) to each job of the template's own section that holds the exercise's target
    (node6:9256): the student's other jobs are not touched. True when the template changed."""
    lab = ws.lab()
    if NODE not in [n.name for n in lab.nodes]:
        return False
    address = f"{lab.node(NODE).ip}:{PORT}"
    changed = False
    for first in items_holding((ws.repo / TEMPLATE).read_text(), address, JOB, within=OWN):
        changed |= ws.rewrite(TEMPLATE, lambda text, first=first: edit(text, rf"{re.escape(first)}\s*$"))
    return changed


def undo(ws):
    changed = edit_own_job(ws, lambda text, item: drop_items(text, item, within=OWN))
    if NODE in [n.name for n in ws.lab().nodes] and \
            on_node(NODE, f"dpkg-query -W -f='${{Status}}' {PACKAGE} | grep -q 'ok installed'").returncode == 0:
        ws.run("vagrant", "ssh", NODE, "-c", f"sudo DEBIAN_FRONTEND=noninteractive apt-get purge -y -q {PACKAGE}",
               what=f"removing {PACKAGE} from {NODE}")
    if changed:
        ws.provision(ws.lab().prometheus_node.name)


EXERCISE = Exercise(
    number=7,
    title=say("Un exporter installé à la main", "An exporter installed by hand"),
    learn=say("installer un exporter et écrire sa cible : la façon de faire hors du lab",
              "installing an exporter and writing its target: the way it is done outside the lab"),
    hints=(
        say(f"Sur {NODE} (vagrant ssh {NODE}), Debian a des exporters tout prêts : apt-cache search prometheus- ; "
            f"{PACKAGE} écoute sur le port {PORT}.",
            f"On {NODE} (vagrant ssh {NODE}), Debian has ready-made exporters: apt-cache search prometheus-; "
            f"{PACKAGE} listens on port {PORT}."),
        say(f"Vérifiez qu'il répond : curl -s localhost:{PORT}/metrics | head. Puis, dans {TEMPLATE}, la section « Your own "
            "targets » montre un job en commentaire.",
            f"Check that it answers: curl -s localhost:{PORT}/metrics | head. Then, in {TEMPLATE}, the 'Your own targets' "
            "section shows a job in a comment."),
        say(f"La cible est l'adresse de {NODE} dans lab.yaml, deux-points, le port ; gardez l'étiquette node. Puis "
            "provisionnez la machine de Prometheus.",
            f"The target is {NODE}'s address in lab.yaml, a colon, the port; keep the node label. Then provision "
            "Prometheus' machine."),
    ),
    check=check,
    undo=undo,
)
