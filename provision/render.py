"""Render templates with values from lab.yaml: what a role installs (Rendered), how (put). A role's own templates live
in its folder (provision/roles/<role>/); templates/ holds those the roles share and those a student edits (the own
targets of prometheus.yml.j2, the alert rules, the dashboards). `make render`, every node's files at once, is
host/rendering.py."""

import functools
import re
from dataclasses import dataclass

from provision import credentials, steps
from provision.catalogue import FOLDER, ROLES
from provision.paths import REPO

TEMPLATES = REPO / "templates"


def searched():
    """Where a template is looked for, in order: templates/, then each role's folder (a name is in one of them)."""
    return [str(TEMPLATES)] + [str(FOLDER / role) for role in ROLES]


@dataclass
class Rendered:
    """A file a role installs: where, from which template, with which values."""

    path: str
    template: str
    context: dict
    owner: str = "root"
    group: str = "root"
    mode: int = 0o644
    verbatim: bool = False  # copied as it is, from templates/ (dashboard JSON has {{...}} of its own) or `source`
    source: str = ""  # a repository file copied as it is, e.g. provision/files/alert_receiver.py
    content: str = None  # a value written as it is (a secret: no template may reinterpret it)
    secret: bool = False  # holds a credential: check mode never shows it

    def text(self):
        if self.content is not None:
            return self.content
        if self.source:
            return (REPO / self.source).read_text()
        if self.verbatim:
            return (TEMPLATES / self.template).read_text()
        return render(self.template, **self.context)

    def private(self, text):
        """True when the file, whose content is `text`, holds a credential: said so by its role, or quoting one of the
        lab's shared secrets (Grafana's datasource, a configuration with a password): check mode never shows it,
        `make render` writes it 0600."""
        return self.secret or credentials.within(text)


def at(services):
    """{port: the address a unit listens at} from a role's services (unit, port, listen address): what its templates
    write (`--web.listen-address={{ at[port] }}`), stated once, where the labtests read it too. Every interface is ":port"."""
    return {port: (f":{port}" if address == "0.0.0.0" else f"{address}:{port}") for _, port, address in services}


# A value that YAML reads back as itself, wherever it stands (a key, a flow list, after a colon).
PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./-]*", re.ASCII)
YAML_WORDS = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null|~)|[-+]?(\.?[0-9][0-9_.:eE+-]*|\.inf|\.nan)"
                        r"|[-+]?0[xXoObB][0-9a-fA-F_]*")  # hexadecimal, octal and binary integers too (0x1f is 31)


def yaml_value(value):
    """A value as YAML text that reads back as that very value: True/False/None as YAML's, numbers as they are, a list
    as a flow list, and
    a string quoted (JSON's double quotes, which YAML reads) unless it is a plain word YAML reads as the same string:
    a node named `null`, `yes` or `08` stays a string once rendered."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    text = str(value)
    if PLAIN.fullmatch(text) and not YAML_WORDS.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def render(template, **context):
    """A template rendered with `context`. In a YAML template every value a {{ ... }} writes is made YAML by the
    renderer (yaml_value): a template never quotes a value itself."""
    return _environment(tuple(searched()), template.endswith((".yml.j2", ".yaml.j2"))).get_template(template).render(**context)


@functools.lru_cache(maxsize=16)
def _environment(folders, yaml_template):
    """One Jinja environment per search path and kind, kept: it compiles a template once, and again when the file
    changes (Jinja checks its modification time: a student's edit is read)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(list(folders)), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                              finalize=yaml_value if yaml_template else None)


def put(run, item, validate=None):
    """Install a Rendered file on the node; units also mark a daemon-reload."""
    if item.path.startswith("/etc/systemd/system/"):
        return steps.unit(run, item.path.removeprefix("/etc/systemd/system/"), item.text())
    text = item.text()
    return steps.file(run, item.path, text, item.owner, item.group, item.mode, validate=validate, secret=item.private(text))
