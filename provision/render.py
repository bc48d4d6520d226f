"""Render templates/ with values from lab.yaml, and `make render`.

    python3 -m provision.render [OUTDIR]   # every node's files under OUTDIR/<node>/<absolute path>
"""

import sys
from dataclasses import dataclass
from pathlib import Path

from provision import inventory, roles, steps

TEMPLATES = inventory.REPO / "templates"


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
            return (inventory.REPO / self.source).read_text()
        if self.verbatim:
            return (TEMPLATES / self.template).read_text()
        return render(self.template, **self.context)


def render(template, **context):
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(template).render(**context)


def put(run, item, validate=None):
    """Install a Rendered file on the node; units also mark a daemon-reload."""
    if item.path.startswith("/etc/systemd/system/"):
        return steps.unit(run, item.path.removeprefix("/etc/systemd/system/"), item.text())
    return steps.file(run, item.path, item.text(), item.owner, item.group, item.mode, validate=validate, secret=item.secret)


def node_files(lab, node):
    return [item for role in node.roles for item in roles.module(role).files(lab, node)]


def write_tree(lab, outdir):
    """Write every node's rendered files under outdir/<node>/<path>; return the paths written."""
    written = []
    for node in lab.nodes:
        for item in node_files(lab, node):
            target = Path(outdir) / node.name / item.path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.text())
            target.chmod(item.mode)  # a file that holds a secret is not world-readable here either
            written.append(target)
    return written


def main(argv):
    outdir = Path(argv[0]) if argv else inventory.REPO / "build" / "rendered"
    try:
        lab = inventory.load()
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    for path in write_tree(lab, outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
