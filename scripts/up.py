"""`vagrant up` told calmly: its whole output in build/up.log, one line per node on the terminal.

    python3 -m scripts.up          (make up; VERBOSE=1 make up prints Vagrant's own output instead)

Each node's line moves as Vagrant and the provisioning report: created, booting, provisioning step
k of n (n: the steps of its last complete run, from build/up-steps.json), done in N s. On a terminal
the lines are rewritten in place; elsewhere (CI, a pipe) a line is printed when a node changes phase.
On a failure the failing node's last lines are printed, with where the full log is.
"""

import json
import os
import re
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field

from host import vagrant
from labclient.say import said
from provision import inventory
from scripts import docker_image

LOG = inventory.REPO / "build" / "up.log"
STEPS = inventory.REPO / "build" / "up-steps.json"
TIMES = inventory.REPO / "build" / "up-times.json"  # per node: boot and provisioning seconds of the last run
LINE = re.compile(r"^(?:==> |    )([A-Za-z][A-Za-z0-9-]*): ?(.*)$")
# The phases, as a French reader reads them (the English are the phases' own names).
PHASE_WORDS = {"waiting": "en attente", "creating": "création", "booting": "démarrage", "booted": "démarré",
               "already up": "déjà en marche", "provisioning": "provisionnement", "failed": "échec", "done": "fait"}
STEP = re.compile(r"^(ok|changed|skip)\s")
SUMMARY = re.compile(r"^\S+: \d+ ok, \d+ changed")
PHASES = [  # Vagrant's own "==> node: ..." lines, in the order a machine goes through them
    ("Building the container", "creating"), ("Creating the container", "creating"), ("Importing base box", "creating"),
    ("Cloning", "creating"), ("Starting container", "booting"), ("Booting", "booting"),
    ("Waiting for machine to boot", "booting"), ("Machine booted and ready", "booted"),
    ("Machine already provisioned", "already up"), ("Running provisioner", "provisioning"),
]


@dataclass
class Node:
    name: str
    expected: int = 0  # steps of the last complete run, 0: unknown
    phase: str = "waiting"
    steps: int = 0
    started: float = 0.0
    took: float = 0.0
    marks: dict = field(default_factory=dict)  # phase -> when it began (time.monotonic())
    failed: bool = False
    tail: deque = field(default_factory=lambda: deque(maxlen=15))

    def feed(self, text, now):
        """Take one of Vagrant's lines about this node; True when its phase changed."""
        self.tail.append(text)
        self.started = self.started or now
        before = self.phase
        if text.startswith("==> "):
            said = text[4:]
            self.phase = next((phase for start, phase in PHASES if said.startswith(start)), self.phase)
        elif self.phase == "provisioning" and STEP.match(text):
            self.steps += 1
        elif self.phase == "provisioning" and SUMMARY.match(text):
            self.phase, self.took = "done", now - self.started
        if "FAILED" in text:
            self.failed, self.phase = True, "failed"
        self.marks.setdefault(self.phase, now)
        return self.phase != before

    def seconds(self):
        """Where the node's time went: until it booted, then provisioning (for the benchmark)."""
        boot = self.marks.get("provisioning", self.marks.get("done", self.started)) - self.started
        return {"boot": round(boot, 1), "provision": round(self.took - boot, 1)}

    @property
    def finished(self):
        return self.phase in ("done", "already up")

    def __str__(self):
        if self.phase == "provisioning":
            of = self.expected > self.steps
            return said(f"{self.name}: provisioning, step {self.steps + 1}{f' of {self.expected}' if of else ''}",
                        f"{self.name}\u202f: provisionnement, étape {self.steps + 1}{f' sur {self.expected}' if of else ''}",
                        theirs=True)
        if self.phase == "done":
            return said(f"{self.name}: done in {self.took:.0f} s ({self.steps} steps)",
                        f"{self.name}\u202f: fait en {self.took:.0f}\u00a0s ({self.steps} étapes)", theirs=True)
        return said(f"{self.name}: {self.phase}", f"{self.name}\u202f: {PHASE_WORDS.get(self.phase, self.phase)}",
                    theirs=True)


class Board:
    """The nodes' lines: rewritten in place on a terminal, printed on each change of phase elsewhere."""

    def __init__(self, nodes, out=None, tty=None):
        self.nodes, self.out = nodes, out or sys.stdout
        self.tty = self.out.isatty() if tty is None else tty
        self.drawn = False

    def show(self, node, phase_changed):
        if self.tty:
            if self.drawn:
                self.out.write(f"\x1b[{len(self.nodes)}F")
            self.out.write("".join(f"\x1b[2K{n}\n" for n in self.nodes.values()))
            self.drawn = True
        elif phase_changed:
            self.out.write(f"{node}\n")
        self.out.flush()


def track(nodes, board, raw, now):
    """One line of Vagrant's output: the node it is about moves on the board."""
    match = LINE.match(raw.rstrip("\n"))
    if not match or match.group(1) not in nodes:
        return
    node = nodes[match.group(1)]
    text = ("==> " if raw.startswith("==> ") else "") + match.group(2)
    board.show(node, node.feed(text, now))


def failure_report(nodes, log_tail):
    """What to print when `vagrant up` failed: the failing nodes' last lines, else the log's."""
    failing = [n for n in nodes.values() if n.failed] or [n for n in nodes.values() if not n.finished and n.phase != "waiting"]
    lines = []
    for node in failing[:2]:
        lines += [said(f"promlab: {node.name} stopped while {node.phase}; its last lines:",
                       f"promlab\u202f: {node.name} s'est arrêté pendant l'étape «\u202f{PHASE_WORDS.get(node.phase, node.phase)}"
                       "\u202f»\u202f; ses dernières lignes\u202f:", theirs=True)] + [f"  {t}" for t in node.tail]
    if not failing:
        lines += [said("promlab: `vagrant up` failed; its last lines:",
                       "promlab : `vagrant up` a échoué ; ses dernières lignes :")] + [f"  {t}" for t in log_tail]
    return lines + [said(f"promlab: Vagrant's full output: {_shown(LOG)} (VERBOSE=1 make up shows it as it comes)",
                         f"promlab\u202f: la sortie complète de Vagrant\u202f: {_shown(LOG)} (VERBOSE=1 make up la montre "
                         "au fil de l'eau)", theirs=True)]


def _shown(path):
    return path.relative_to(inventory.REPO) if path.is_relative_to(inventory.REPO) else path


def _expected():
    try:
        return {k: int(v) for k, v in json.loads(STEPS.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _env():
    env = {**os.environ, "VAGRANT_NO_COLOR": "1"}
    # The docker provider: the machines start from the node image `make image` has just built
    # (scripts/docker_image.py) instead of each building the Dockerfile again.
    if env.get("VAGRANT_DEFAULT_PROVIDER") == "docker" and not env.get("LAB_DOCKER_IMAGE"):
        built = subprocess.run(["docker", "image", "inspect", docker_image.TAGS[0]], capture_output=True).returncode == 0
        if built:
            env["LAB_DOCKER_IMAGE"] = docker_image.TAGS[0]
    return env


def main(argv):
    if os.environ.get("VERBOSE") == "1":
        return subprocess.call(["vagrant", "up", *argv], env=_env())
    try:
        lab = inventory.load()
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    env = _env()
    given = os.environ.get("LAB_DOCKER_IMAGE")
    if env.get("VAGRANT_DEFAULT_PROVIDER") == "docker" and given and not docker_image.signs_in(given):
        print(docker_image.not_signing_in(given, "LAB_DOCKER_IMAGE"), file=sys.stderr)
        return 2
    for note in vagrant.notes(lab):  # Vagrant says them too, in its output, which goes to the log
        print(f"promlab: note: {note}", flush=True)
    expected = _expected()
    nodes = {n.name: Node(n.name, expected.get(n.name, 0)) for n in lab.nodes}
    board = Board(nodes)
    print(said(f"promlab: vagrant up, {len(nodes)} nodes (Vagrant's output: {_shown(LOG)})",
               f"promlab\u202f: vagrant up, {len(nodes)} nœuds (la sortie de Vagrant\u202f: {_shown(LOG)})", theirs=True),
          flush=True)
    LOG.parent.mkdir(exist_ok=True)
    log_tail = deque(maxlen=15)
    with open(LOG, "w") as log, subprocess.Popen(["vagrant", "up", *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                 text=True, errors="replace", env=env) as proc:
        for raw in proc.stdout:
            log.write(raw)
            log.flush()
            log_tail.append(raw.rstrip("\n"))
            track(nodes, board, raw, time.monotonic())
    if proc.returncode:
        print("\n".join(failure_report(nodes, log_tail)), file=sys.stderr)
        if os.environ.get("CI"):
            print(f"--- {LOG}\n{LOG.read_text(errors='replace')}", file=sys.stderr)
        return proc.returncode
    done = {n.name: n.steps for n in nodes.values() if n.phase == "done"}
    STEPS.write_text(json.dumps({**expected, **done}, indent=1))
    TIMES.write_text(json.dumps({n.name: n.seconds() for n in nodes.values() if n.phase == "done"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
