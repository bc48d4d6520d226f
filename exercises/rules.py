"""Rules a student writes: in a file of their own on the Prometheus node, or in templates/alert_rules.yml.j2.
Both are right; the check finds the rule through Prometheus' rules API, the undo removes it from both places."""

import re

from exercises.base import missing
from exercises.workspace import blocks, drop_items

RULES_DIR = "/etc/prometheus/rules"
TEMPLATE = "templates/alert_rules.yml.j2"


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


def remove(ws, kind, name, file):
    """Undo a rule the exercise asked for: its own file on the Prometheus node, and the rule in the template."""
    node = ws.lab().prometheus_node.name
    removed = ws.remove_on_node(node, f"{RULES_DIR}/{file}")
    key = "alert" if kind == "alert" else "record"
    if ws.rewrite(TEMPLATE, lambda text: _drop_empty_groups(drop_items(text, rf"\s*- {key}: {name}\s*$"))):
        ws.provision(node)
    elif removed:
        ws.run("vagrant", "ssh", node, "-c", "sudo systemctl reload prometheus", what="reloading Prometheus")


def _drop_empty_groups(text):
    """Remove the rule groups left without any rule (a group must have at least one)."""
    for first, block in blocks(text, r"\s*- name:"):
        if not re.search(r"^\s*- (alert|record):", block, re.M):
            text = drop_items(text, rf"{re.escape(first)}\s*$")
    return text
