"""Rules a student writes: in a file of their own on the Prometheus node, or in templates/alert_rules.yml.j2.
Both are right; the check finds the rule through Prometheus' rules API; the reset finds it by its name wherever it
is (every rule file Prometheus loaded it from, the template), cuts that rule alone, and keeps the rest."""

from exercises import yamledit
from exercises.base import QueryRefused, Unreachable, missing

RULES_DIR = "/etc/prometheus/rules"
TEMPLATE = "templates/alert_rules.yml.j2"
LAB_RULES = f"{RULES_DIR}/promlab.rules.yml"  # rendered from the template: changed through it, never on the node


def loaded(ctx, kind, name):
    """The rule of that kind ('alert' or 'record') and name Prometheus has loaded, with its group's file; or None."""
    for group in ctx.api("rules", type=kind)["groups"]:
        for rule in group["rules"]:
            if rule["name"] == name:
                return dict(rule, file=group["file"])
    return None


def not_loaded(kind, name, file, node):
    what = ("la règle d'alerte", "the alert rule") if kind == "alert" else ("la règle d'enregistrement", "the recording rule")
    return missing(f"Prometheus n'a pas chargé {what[0]} {name} : écrivez-la dans {RULES_DIR}/{file} sur {node} (ou dans "
                   f"{TEMPLATE}), vérifiez-la avec promtool check rules, puis rechargez Prometheus",
                   f"Prometheus has not loaded {what[1]} {name}: write it in {RULES_DIR}/{file} on {node} (or in {TEMPLATE}), "
                   "check it with promtool check rules, then reload Prometheus")


def without_rule(text, kind, name, template=False):
    """The rules text without the rules of that kind and name, and without the groups they leave empty; the text
    as it is when it holds none (yamledit.Unparsable when it is not YAML)."""
    key = "alert" if kind == "alert" else "record"
    groups = yamledit.get(yamledit.parse(text, template=template), "groups")
    cuts = []
    for group in yamledit.items(groups):
        rules = yamledit.get(group, "rules")
        doomed = [r for r in yamledit.items(rules) if yamledit.value(yamledit.get(r, key)) == name]
        if doomed and len(doomed) == len(yamledit.items(rules)):
            cuts.append(yamledit.item_cut(text, groups, group))
        else:
            cuts += [yamledit.item_cut(text, rules, r) for r in doomed]
    return yamledit.apply(text, cuts)


def _files_holding(ws, kind, name, file):
    """The rule files on the node that hold the rule, as Prometheus loaded them (and the exercise's own file)."""
    from labclient.prom import Prometheus

    found = {f"{RULES_DIR}/{file}"}
    try:
        for group in Prometheus(ws.lab_now()).data("rules", type=kind)["groups"]:
            if any(rule["name"] == name for rule in group["rules"]):
                found.add(group["file"])
    except (QueryRefused, Unreachable):
        ws.say("Prometheus ne répond pas : seul le fichier de l'exercice est regardé",
               "Prometheus does not answer: only the exercise's own file is looked at")
    return sorted(found - {LAB_RULES})


def remove(ws, kind, name, file):
    """Undo a rule the exercise asked for, wherever it was written; the rest of each file stays as it was."""
    node = ws.lab_now().prometheus_node.name
    changed_on_node = False
    for path in _files_holding(ws, kind, name, file):
        changed_on_node |= ws.rewrite_on_node(node, path, lambda text: without_rule(text, kind, name))
    try:
        template_changed = ws.rewrite(TEMPLATE, lambda text: without_rule(text, kind, name, template=True))
    except yamledit.Unparsable as e:
        ws.say(f"{TEMPLATE} ne se lit pas en YAML ({e}) : rien n'y est changé", f"{TEMPLATE} does not read as YAML ({e}): "
               "nothing is changed there")
        template_changed = False
    if template_changed:
        ws.provision(node)
    elif changed_on_node:
        ws.on_node(node, "systemctl reload prometheus", what="reloading Prometheus")
