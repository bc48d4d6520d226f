"""The repository's files as its last commit has them: the fast tests read lab.yaml and the templates a student edits
(answers, own targets, rules, notes, added nodes) from there, never from the working tree, so that `make test` passes
with a student's work in place. Outside a git checkout (an unpacked archive) the working tree is all there is."""

import copy
import functools
import subprocess
from pathlib import Path

import yaml

from provision import inventory

REPO = inventory.REPO


@functools.cache
def text(relative):
    """The committed text of a file of the repository (the working tree's when there is no commit of it)."""
    proc = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=REPO, capture_output=True)
    if proc.returncode == 0:
        return proc.stdout.decode("utf-8")
    return (REPO / relative).read_text(encoding="utf-8")


def read_committed(path):
    """The committed inventory at `path` (absolute, in the repository) as data, not merged: the reader inventory.data
    and inventory.origin take."""
    return yaml.safe_load(text(Path(path).relative_to(REPO).as_posix()))


def raw(relative="lab.yaml"):
    """The committed inventory as data, the inventories it extends merged under it (an example is an overlay)."""
    return inventory.data(REPO / relative, read=read_committed)


def changed(data, path, value):
    """A copy of inventory data with `value` at `path` (keys and list indexes: ("nodes", 3, "name")); `data` untouched."""
    found = copy.deepcopy(data)
    at = found
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = value
    return found


def lab(relative="lab.yaml", env=None):
    """The committed inventory, checked as the lab checks it (an environment of none of the user's settings)."""
    return inventory.parse(raw(relative), source=relative, env=env or {})


def _own_section_as_committed(template):
    """prometheus.yml.j2 with its own-targets section as the commit has it (the student writes jobs there)."""
    from exercises import own_targets

    committed = text("templates/prometheus.yml.j2")
    start, end = own_targets.section(template)
    first, last = own_targets.section(committed)
    return template[:start] + committed[first:last] + template[end:]


def _rule_groups_as_committed(template):
    """alert_rules.yml.j2 without the groups the commit does not have (a student adds their rules in groups of
    their own)."""
    from exercises import yamledit

    names = {g.get("name") for g in yaml.safe_load(yamledit.mask(text("templates/alert_rules.yml.j2")))["groups"]}
    try:
        groups = yamledit.get(yamledit.parse(template, template=True), "groups")
    except yamledit.Unparsable:
        return text("templates/alert_rules.yml.j2")
    cuts = [yamledit.item_cut(template, groups, g) for g in yamledit.items(groups)
            if yamledit.value(yamledit.get(g, "name")) not in names]
    return yamledit.apply(template, cuts)


def _tracked(relative):
    proc = subprocess.run(["git", "ls-files", "--error-unmatch", relative], cwd=REPO, capture_output=True)
    return proc.returncode == 0


def templates(folder):
    """A copy of templates/ in `folder` with the lab's own parts as the working tree has them (a contributor's change
    is tested) and the student's parts as committed: the own-targets section, rule groups the commit lacks, and
    dashboards it does not track are left out."""
    import shutil

    source = REPO / "templates"
    shutil.copytree(source, folder, ignore=lambda d, names: [n for n in names if Path(d, n).is_file()
                                                               and not _tracked(Path(d, n).relative_to(REPO).as_posix())])
    prom, rules = folder / "prometheus.yml.j2", folder / "alert_rules.yml.j2"
    prom.write_text(_own_section_as_committed(prom.read_text()))
    rules.write_text(_rule_groups_as_committed(rules.read_text()))
    return folder


def tracked_files(folder, suffix):
    """The names of the files of `folder` (relative to the repository) that git tracks, ending with `suffix` (every file
    there when this is not a git checkout)."""
    proc = subprocess.run(["git", "ls-files", folder], cwd=REPO, capture_output=True, text=True)
    names = proc.stdout.split() if proc.returncode == 0 else [p.relative_to(REPO).as_posix() for p in (REPO / folder).iterdir()]
    return sorted(Path(n).name for n in names if n.endswith(suffix) and Path(n).parent == Path(folder))
