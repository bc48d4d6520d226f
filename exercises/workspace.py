"""Where a reset changes things, and how: it says what it changes, and keeps a copy of every file
it rewrites or removes under .promlab/backup/<time>/ (files of a node under <node>/<path>).

A reset only undoes what its exercise's own instructions change: the answer files the exercise
names, a lab.yaml value or node it asks for, the target, rule or dashboard it tells the student to
add. The rest of the student's work (other rules, targets, answers, lab.yaml lines) stays as it is.
"""

import difflib
import shlex
import subprocess
import time
from pathlib import Path

import yaml

from exercises import yamledit
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

    def lab_now(self):
        """lab.yaml as it stands now (the student may have changed it since the command began), read afresh."""
        return inventory.load()

    def say(self, fr, en):
        self.out(f"  {fr if self.lang == 'fr' else en}")

    def _keep(self, relative, text):
        copy = self.backup / relative
        if copy.exists():  # a second change to the same file in one reset: the first copy is the original
            return copy
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(text if isinstance(text, bytes) else text.encode())
        return copy

    def _shown(self, path):
        return path.relative_to(self.repo).as_posix()

    def remove(self, relative):
        """Remove a file of the repository (an answer, a dashboard), keeping a copy."""
        path = self.repo / relative
        if not path.is_file():
            return
        copy = self._keep(relative, path.read_bytes())  # whatever it holds, even text that is not UTF-8
        path.unlink()
        self.changed = True
        self.say(f"supprime {relative} (copie : {self._shown(copy)})", f"removes {relative} (copy: {self._shown(copy)})")

    def rewrite(self, relative, edit):
        """Apply edit(text) -> text to a file of the repository; show the difference, keep a copy."""
        path = self.repo / relative
        if not path.is_file():
            return False
        try:
            old = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            self.say(f"{relative} n'est pas du texte UTF-8 (octet {e.start}) : rien n'y est changé",
                     f"{relative} is not UTF-8 text (byte {e.start}): nothing is changed there")
            return False
        new = edit(old)
        if new == old:
            return False
        copy = self._keep(relative, old)
        path.write_text(new)
        self.changed = True
        self.say(f"modifie {relative} (copie : {self._shown(copy)}) :", f"changes {relative} (copy: {self._shown(copy)}):")
        self._show_diff(old, new)
        return True

    def _show_diff(self, old, new):
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        for line in list(diff)[2:]:
            if not line.startswith("@@"):
                self.out(f"      {line}")

    def rewrite_on_node(self, node, path, edit):
        """Apply edit(text) -> text to a rules file on a node, keeping a copy: promtool must accept the new file before
        it replaces the old one (owner and mode kept); a file left without any rule group is removed. True when it
        changed. A file that is not YAML is named and left."""
        proc = on_node(node, f"cat {shlex.quote(path)}")
        if proc.returncode != 0:
            return False
        old = proc.stdout
        try:
            new = edit(old)
            empty = not (yaml.safe_load(new) or {}).get("groups")
        except (yamledit.Unparsable, yaml.YAMLError, AttributeError) as e:
            self.say(f"{path} sur {node} ne se lit pas en YAML ({e}) : rien n'y est changé",
                     f"{path} on {node} does not read as YAML ({e}): nothing is changed there")
            return False
        if new == old:
            return False
        copy = self._keep(f"{node}{path}", old)
        quoted = shlex.quote(path)
        if empty:
            on_node(node, f"rm -f {quoted}", check=True)
            self.say(f"supprime {path} sur {node} (copie : {self._shown(copy)})", f"removes {path} on {node} (copy: {self._shown(copy)})")
        else:
            folder = shlex.quote(path.rsplit("/", 1)[0])
            on_node(node, f"tmp=$(mktemp {folder}/.promlab-reset.XXXXXX) && cat > \"$tmp\" && promtool check rules \"$tmp\" >/dev/null "
                          f"&& chown --reference={quoted} \"$tmp\" && chmod --reference={quoted} \"$tmp\" && mv \"$tmp\" {quoted} "
                          "|| { rm -f \"$tmp\"; exit 1; }", check=True, input=new)
            self.say(f"modifie {path} sur {node} (copie : {self._shown(copy)}) :", f"changes {path} on {node} (copy: {self._shown(copy)}):")
            self._show_diff(old, new)
        self.changed = True
        return True

    def on_node(self, node, command, what):
        """A command of the reset on a node (root), said before it runs."""
        self.say(f"lance sur {node} : {command}", f"runs on {node}: {command}")
        proc = on_node(node, command)
        if proc.returncode != 0:
            raise RuntimeError(f"{what} failed: " + " / ".join((proc.stdout + proc.stderr).strip().splitlines()[-5:]))
        self.changed = True
        return proc

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
        """Provision a node again, as `vagrant provision` does (the same command, over the one way into a node: no
        Vagrant to start); a failure says the provisioning's own failed line."""
        from labclient.check import provision

        self.say(f"provisionne {node}", f"provisions {node}")
        proc = provision(node)
        if proc.returncode != 0:
            said = (proc.stdout + proc.stderr).strip().splitlines()
            failed = [line for line in said if "FAILED" in line or line.startswith("failed")] or said[-3:]
            raise RuntimeError(f"provisioning {node} failed: " + " / ".join(failed))
        self.changed = True
        return proc


def committed(relative, read, repo=REPO):
    """read(root node) of the file as the repository's last commit has it (the teacher's), or None when there is no
    such commit or file, or it is not YAML."""
    proc = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=repo, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    try:
        return read(yamledit.parse(proc.stdout))
    except (yamledit.Unparsable, AttributeError, TypeError):
        return None
