"""Where a reset changes things, and how: it says what it changes, and keeps a copy of every file
it rewrites or removes under .promlab/backup/<time>/ (files of a node under <node>/<path>).

A reset only undoes what its exercise's own instructions change: the answer files the exercise
names, a lab.yaml value or node it asks for, the target, rule or dashboard it tells the student to
add. The rest of the student's work (other rules, targets, answers, lab.yaml lines) stays as it is.
"""

import difflib
import re
import subprocess
import time
from pathlib import Path

from exercises.base import REPO, on_node
from provision import inventory


class Workspace:
    def __init__(self, lang="en", out=print, repo=REPO):
        self.lang, self.out, self.repo = lang, out, Path(repo)
        self._backup, self.changed = None, False

    @property
    def backup(self):
        """This reset's own folder for copies, made on first use: never one another reset wrote into."""
        if self._backup is None:
            base = self.repo / ".promlab" / "backup" / time.strftime("%Y%m%d-%H%M%S")
            for n in range(1, 1000):
                candidate = base if n == 1 else base.with_name(f"{base.name}-{n}")
                try:
                    candidate.mkdir(parents=True)
                except FileExistsError:
                    continue
                self._backup = candidate
                break
        return self._backup

    def lab(self):
        return inventory.load()

    def say(self, fr, en):
        self.out(f"  {fr if self.lang == 'fr' else en}")

    def _keep(self, relative, text):
        copy = self.backup / relative
        if copy.exists():  # a second change to the same file in one reset: the first copy is the original
            return copy
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text)
        return copy

    def _shown(self, path):
        return path.relative_to(self.repo).as_posix()

    def remove(self, relative):
        """Remove a file of the repository (an answer, a dashboard), keeping a copy."""
        path = self.repo / relative
        if not path.is_file():
            return
        copy = self._keep(relative, path.read_text())
        path.unlink()
        self.changed = True
        self.say(f"supprime {relative} (copie : {self._shown(copy)})", f"removes {relative} (copy: {self._shown(copy)})")

    def rewrite(self, relative, edit):
        """Apply edit(text) -> text to a file of the repository; show the difference, keep a copy."""
        path = self.repo / relative
        if not path.is_file():
            return False
        old = path.read_text()
        new = edit(old)
        if new == old:
            return False
        copy = self._keep(relative, old)
        path.write_text(new)
        self.changed = True
        self.say(f"modifie {relative} (copie : {self._shown(copy)}) :", f"changes {relative} (copy: {self._shown(copy)}):")
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        for line in list(diff)[2:]:
            if not line.startswith("@@"):
                self.out(f"      {line}")
        return True

    def remove_on_node(self, node, path):
        """Remove a file on a node (a rule file), keeping a copy; True when there was one."""
        proc = on_node(node, f"cat {path}")
        if proc.returncode != 0:
            return False
        relative = f"{node}{path}"
        copy = self._keep(relative, proc.stdout)
        on_node(node, f"rm -f {path}", check=True)
        self.changed = True
        self.say(f"supprime {path} sur {node} (copie : {self._shown(copy)})", f"removes {path} on {node} (copy: {self._shown(copy)})")
        return True

    def run(self, *command, what):
        """A command of the reset (vagrant provision, destroy), said before it runs; its output is kept quiet."""
        self.say(f"lance : {' '.join(command)}", f"runs: {' '.join(command)}")
        proc = subprocess.run(command, cwd=self.repo, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            raise RuntimeError(f"{what} failed: " + " / ".join(tail))
        self.changed = True
        return proc

    def provision(self, node):
        return self.run("vagrant", "provision", node, what=f"provisioning {node}")


# --- Editing YAML text without losing the student's comments and layout -------------------------

def drop_items(text, first_line, within=None):
    """Remove every YAML list item whose first line matches the regex `first_line`, with the lines
    indented deeper than its dash. `within` (start, end) regexes limit the search to a section."""
    lines = text.splitlines(keepends=True)
    start, end = _section(lines, within)
    kept, skipping, indent, blanks = [], False, 0, []
    for i, line in enumerate(lines):
        if skipping:
            if line.strip() == "":
                blanks.append(line)
                continue
            if _indent(line) > indent:
                blanks = []
                continue
            skipping, kept, blanks = False, kept + blanks, []
        if start <= i < end and re.match(first_line, line):
            skipping, indent = True, _indent(line)
            continue
        kept.append(line)
    return _ending_as(text, "".join(kept))


def _ending_as(original, text):
    """text with as many newlines at its end as the original had (a removed last item leaves no blank line)."""
    return text.rstrip("\n") + "\n" * (len(original) - len(original.rstrip("\n")))


def drop_keys(text, item_first_line, keys, within=None):
    """In the list items whose first line matches `item_first_line`, remove the mapping keys `keys`
    (e.g. relabel_configs) with everything under them."""
    lines = text.splitlines(keepends=True)
    start, end = _section(lines, within)
    kept, item_indent, key_indent, blanks = [], None, None, []
    key = re.compile(rf"\s*({'|'.join(map(re.escape, keys))}):")
    for i, line in enumerate(lines):
        if key_indent is not None:
            if line.strip() == "":
                blanks.append(line)
                continue
            if _indent(line) > key_indent or (line.lstrip().startswith("- ") and _indent(line) == key_indent):
                blanks = []
                continue
            key_indent = None
        if item_indent is not None and line.strip() and _indent(line) <= item_indent:
            item_indent = None
        if start <= i < end and re.match(item_first_line, line):
            item_indent = _indent(line)
        elif item_indent is not None and key.match(line):
            key_indent, blanks = _indent(line), []
            continue
        kept, blanks = kept + blanks + [line], []
    return "".join(kept)


def blocks(text, first_line, within=None):
    """[(first line, the item's whole text)] for every YAML list item whose first line matches `first_line`."""
    lines = text.splitlines()
    start, end = _section([line + "\n" for line in lines], within)
    found = []
    for i in range(start, end):
        if re.match(first_line, lines[i]):
            indent, j = _indent(lines[i]), i + 1
            while j < end and (not lines[j].strip() or _indent(lines[j]) > indent):
                j += 1
            found.append((lines[i], "\n".join(lines[i:j])))
    return found


def items_holding(text, needle, first_line, within=None):
    """The first lines of the list items (matching `first_line`) whose block contains `needle`."""
    return [first for first, block in blocks(text, first_line, within) if needle in block]


def _indent(line):
    return len(line) - len(line.lstrip())


def _section(lines, within):
    if not within:
        return 0, len(lines)
    start = next((i for i, line in enumerate(lines) if re.search(within[0], line)), len(lines))
    end = next((i for i, line in enumerate(lines) if i > start and re.search(within[1], line)), len(lines))
    return start, end
