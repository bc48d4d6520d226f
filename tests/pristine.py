"""The repository's files as its last commit has them: the fast tests read lab.yaml and the templates a student edits
(answers, own targets, rules, notes, added nodes) from there, never from the working tree, so that `make test` passes
with a student's work in place. Outside a git checkout (an unpacked archive) the working tree is all there is."""

import functools
import subprocess

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


def raw(relative="lab.yaml"):
    """The committed inventory as data."""
    return yaml.safe_load(text(relative))


def lab(relative="lab.yaml", env=None):
    """The committed inventory, checked as the lab checks it (an environment of none of the user's settings)."""
    return inventory.parse(raw(relative), source=relative, env=env or {})
