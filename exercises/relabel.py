"""Prometheus' relabelling, replayed on labels the check chooses: does a job's relabel_configs derive a label from
__address__ (it follows when the address changes), or write it whatever the target? Actions that need more than
labels (hashmod) are not replayed: Unsupported, and the check trusts what Prometheus shows."""

import re

DEFAULTS = {"action": "replace", "separator": ";", "regex": "(.*)", "replacement": "$1"}


class Unsupported(Exception):
    """A relabel action this replay does not know."""


def _expand(template, match):
    """Go's Regexp.Expand as Prometheus uses it: $1, ${1}, $name, ${name}; an unknown group gives nothing."""
    def group(m):
        name = m.group(1) or m.group(2)
        try:
            return match.group(int(name) if name.isdigit() else name) or ""
        except (IndexError, re.error):
            return ""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", group, template)


def _compiled(regex):
    try:
        return re.compile(f"^(?:{regex})$", re.S)
    except re.error as e:
        raise Unsupported(f"regex {regex!r}: {e}") from None


def apply(configs, labels):
    """The labels after `configs` (a job's relabel_configs as Prometheus loaded them); None when the target is dropped."""
    labels = dict(labels)
    for config in configs or []:
        c = {**DEFAULTS, **{k: v for k, v in config.items() if v is not None}}
        action = str(c["action"]).lower()
        regex = _compiled(c["regex"])
        joined = str(c["separator"]).join(labels.get(name, "") for name in c.get("source_labels") or [])
        if action == "replace":
            match = regex.match(joined)
            if match:
                target = _expand(str(c.get("target_label", "")), match)
                value = _expand(str(c["replacement"]), match)
                if target:
                    if value:
                        labels[target] = value
                    else:
                        labels.pop(target, None)
        elif action in ("keep", "drop"):
            if bool(regex.match(joined)) != (action == "keep"):
                return None
        elif action in ("lowercase", "uppercase"):
            labels[c["target_label"]] = joined.lower() if action == "lowercase" else joined.upper()
        elif action == "labelmap":
            for name, value in list(labels.items()):
                match = regex.match(name)
                if match:
                    labels[_expand(str(c["replacement"]), match)] = value
        elif action in ("labeldrop", "labelkeep"):
            labels = {k: v for k, v in labels.items() if bool(regex.match(k)) != (action == "labeldrop")}
        else:
            raise Unsupported(f"action {action}")
    return labels
