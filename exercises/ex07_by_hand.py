"""Exercise 7: install an exporter on node6 by hand, and add its target in templates/prometheus.yml.j2."""

from urllib.parse import urlparse

from exercises import own_targets, yamledit
from exercises.base import Exercise, done, missing, on_node, say
from exercises.own_targets import TEMPLATE

NODE = "node6"
PACKAGE, PORT = "prometheus-process-exporter", 9256  # what the instructions install


def _address(target):
    return urlparse(target["scrapeUrl"]).netloc


def written(lab):
    """{(job, address)} of the targets written by hand in the template as it is now (rendered and parsed), or None
    when it does not render."""
    from provision.roles import prometheus

    try:
        return {(t.job, t.address) for t in prometheus.hand_targets(lab)}
    except Exception:  # noqa: BLE001 - a template the student broke: the check says so, never a traceback
        return None


def active_hand_targets(ctx):
    """Live targets on the node's address that the template holds as written by hand (jobs lab.yaml does not make)."""
    ours = written(ctx.lab) or set()
    ip = ctx.lab.node(NODE).ip
    return [t for t in ctx.active_targets() if _address(t).startswith(f"{ip}:") and (t["labels"]["job"], _address(t)) in ours]


def check(ctx):
    lab = ctx.lab
    if NODE not in [n.name for n in lab.nodes]:
        return [missing(f"lab.yaml n'a pas de {NODE}", f"lab.yaml has no {NODE}")]
    if written(lab) is None:
        return [missing(f"{TEMPLATE} ne se rend pas en une configuration YAML : relisez votre job (indentation, guillemets)",
                        f"{TEMPLATE} does not render to a YAML configuration: read your job again (indentation, quotes)")]
    node = lab.node(NODE)
    taken = {lab.components[r]["port"] for r in node.roles} | {22}
    mine = active_hand_targets(ctx)
    if not mine:
        roles = [r for r in node.roles if r != "node_exporter" and lab.components[r].get("job")]
        if roles:
            return [missing(f"{NODE} a le rôle {roles[0]} dans lab.yaml : c'est l'autre façon. Ici, installez l'exporter "
                            f"à la main et écrivez sa cible dans {TEMPLATE}",
                            f"{NODE} has the {roles[0]} role in lab.yaml: that is the other way. Here, install the exporter "
                            f"by hand and write its target in {TEMPLATE}")]
        return [missing(f"Prometheus n'interroge aucune cible de {NODE} écrite à la main dans {TEMPLATE} (section « Your own "
                        "targets »)", f"Prometheus scrapes no target of {NODE} written by hand in {TEMPLATE} ('Your own "
                        "targets' section)")]
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
    found.append(done("elle est up", "it is up"))
    return found + [_new_kind(ctx, target)]


# Metrics every exporter of Go or of Prometheus' client libraries has, and those Prometheus adds to every target:
# they say nothing about what an exporter watches.
COMMON = ("go_", "process_", "promhttp_", "scrape_", "python_")


def _kinds(ctx):
    """{(job, instance): metric names} of every target Prometheus scrapes now, without the names every exporter has
    (a job removed minutes ago still has series for Prometheus' lookback: not the lab's any more)."""
    active = {(t["labels"].get("job"), t["labels"].get("instance")) for t in ctx.active_targets()}
    found = {}
    for series in ctx.query('group by (__name__, job, instance) ({job=~".+"})'):
        labels = series["metric"]
        name, key = labels["__name__"], (labels.get("job"), labels.get("instance"))
        if key in active and name != "up" and not name.startswith(COMMON):
            found.setdefault(key, set()).add(name)
    return found


def kind(name):
    """A metric name's namespace, what an exporter names its metrics by (node_, namedprocess_, mysql_, probe_)."""
    return name.split("_", 1)[0]


def _new_kind(ctx, target):
    """A Finding: the target's exporter exposes a kind of metrics the lab's own jobs did not have (a namespace none of
    them has), not another copy of an exporter the lab runs (the same namespaces, whatever collectors it turns on)."""
    job, address = target["labels"]["job"], target["labels"]["instance"]
    hand = {j for j, _ in written(ctx.lab) or ()}
    kinds = _kinds(ctx)
    theirs = kinds.get((job, address), set())
    if not theirs:
        return missing(f"{address} ne donne encore aucune métrique propre (seulement celles de tout exporter : go_, process_…) : "
                       "est-ce bien un exporter ?", f"{address} gives no metrics of its own yet (only those every exporter has: "
                       "go_, process_…): is it an exporter?")
    labs = {}
    for (other, _), names in kinds.items():
        if other not in hand:
            labs.setdefault(other, set()).update(kind(n) for n in names)
    new = sorted({kind(n) for n in theirs} - set().union(*labs.values()))
    if not new:
        spaces = {kind(n) for n in theirs}
        like = max(labs, key=lambda j: len(labs[j] & spaces))
        return missing(f"ses métriques ({', '.join(sorted(spaces)[:3])}_…) sont toutes d'un type que le lab a déjà (job {like}) : "
                       "c'est une copie d'un exporter qu'il a déjà. Installez un autre type d'exporter (apt-cache search "
                       "prometheus-)", f"its metrics ({', '.join(sorted(spaces)[:3])}_…) are all of a kind the lab has already "
                       f"(job {like}): it is a copy of an exporter the lab has. Install another kind of exporter (apt-cache "
                       "search prometheus-)")
    return done(f"il apporte des métriques d'un type que le lab n'avait pas ({', '.join(n + '_…' for n in new[:3])})",
                f"it brings metrics of a kind the lab did not have ({', '.join(n + '_…' for n in new[:3])})")


def exercise_address(lab):
    """The address the exercise's exporter answers at (node6:9256), or None without node6."""
    return f"{lab.node(NODE).ip}:{PORT}" if NODE in [n.name for n in lab.nodes] else None


def edit_template(ws, edit):
    """Apply edit(text, address) to the template; a section that is not YAML is named and left. True when it changed."""
    address = exercise_address(ws.lab_now())
    if address is None:
        return False
    try:
        return ws.rewrite(TEMPLATE, lambda text: edit(text, address))
    except yamledit.Unparsable as e:
        ws.say(f"la section « Your own targets » de {TEMPLATE} n'est pas du YAML ({e}) : rien n'y est changé",
               f"the 'Your own targets' section of {TEMPLATE} is not YAML ({e}): nothing is changed there")
        return False


def undo(ws):
    changed = edit_template(ws, own_targets.without_jobs)
    if NODE in [n.name for n in ws.lab_now().nodes] and \
            on_node(NODE, f"dpkg-query -W -f='${{Status}}' {PACKAGE} | grep -q 'ok installed'").returncode == 0:
        ws.on_node(NODE, f"DEBIAN_FRONTEND=noninteractive apt-get purge -y -q {PACKAGE}", what=f"removing {PACKAGE} from {NODE}")
    if changed:
        ws.provision(ws.lab_now().prometheus_node.name)


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
