"""What every exercise is made of, and what its check talks to.

An exercise is one module of this package holding one `EXERCISE = Exercise(...)`: its titles,
what it teaches, a hint ladder, the check (findings from the live lab), the undo that
`make reset-exercise N` runs, and optionally a start (`make exercise N start`) and the exercise
it builds on. Every text exists in French and in English (`say(fr, en)`).
"""

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from exercises.lang import french
from labclient.prom import Prometheus, QueryRefused, Unreachable, config_of  # noqa: F401 - QueryRefused: the checks' own
from provision import inventory, model

REPO = inventory.REPO


@dataclass(frozen=True)
class Text:
    fr: str
    en: str
    page: Optional[str] = None  # a Prometheus page the text sends the student to (query, targets, alerts)

    def __call__(self, lang):
        return self.fr if lang == "fr" else self.en


def say(fr, en, page=None):
    """A text in both languages; `page`: the Prometheus page it names, whose address on the Prometheus that runs
    `make exercise N hint` adds (labclient.ui)."""
    return Text(french(fr), en, page)


@dataclass(frozen=True)
class Finding:
    done: bool
    text: Text
    echo: bool = False  # the student's own answer shown back: marked neither done nor refused (what is judged follows)


def done(fr, en):
    return Finding(True, say(fr, en))


def missing(fr, en):
    return Finding(False, say(fr, en))


class LabUnreachable(Exception):
    """The lab (or one of its servers) does not answer: one sentence and what to run, never a traceback."""

    def __init__(self, text):
        self.text = text
        super().__init__(text.en)


def quoted(fr, en, raw):
    """A finding's text that ends with the student's own words, exactly as written (no typography added to them)."""
    return Text(french(fr) + raw, en + raw)


def missing_with(fr, en, **theirs):
    """A Finding not done whose text holds the student's own words ({name} in both templates), exactly as written: the
    French typography goes to the sentence, never to their words."""
    return Finding(False, Text(french(fr).format(**theirs), en.format(**theirs)))


@dataclass
class Context:
    """What a check asks: lab.yaml as it is now, the lab's Prometheus (labclient's client), the exercises' data sets,
    and commands on a node."""

    lab: model.Lab
    prometheus: Prometheus
    at: float = field(default_factory=lambda: time.time() - 1)  # one evaluation time for every query of a check
    guest_repo: str = inventory.GUEST_REPO  # where the nodes see the repository
    datasets: Optional[Prometheus] = None  # the data sets' Prometheus; the lab's own by default (lab.datasets)

    def __post_init__(self):
        if self.datasets is None:
            self.datasets = Prometheus(url=self.lab.datasets.host_url)

    def _ask(self, server, what, *args, **kwargs):
        """A call on a Prometheus client; LabUnreachable (one sentence, what to run) when it does not answer."""
        try:
            return getattr(server, what)(*args, **kwargs)
        except Unreachable as e:
            if server is self.datasets and self._answers(self.prometheus):
                node = self.lab.prometheus_node.name
                raise LabUnreachable(say(f"les jeux de données des exercices ne répondent pas à {e.url} ({e.why['fr']}) : "
                                         f"provisionnez {node} (`vagrant provision {node}`), puis `make status`.",
                                         f"the exercises' data sets do not answer at {e.url} ({e.why['en']}): provision "
                                         f"{node} (`vagrant provision {node}`), then `make status`.")) from None
            raise LabUnreachable(say(f"Prometheus ne répond pas à {e.url} ({e.why['fr']}) : le lab est-il démarré ? "
                                     "Lancez `make status`, puis `make up`.", f"Prometheus does not answer at {e.url} "
                                     f"({e.why['en']}): is the lab up? Run `make status`, then `make up`.")) from None

    @staticmethod
    def _answers(server):
        """Whether a Prometheus answers at all: the data sets alone silent mean their service is down, both silent
        that there is no lab (then `make up`, never a provisioning of a node that may not exist)."""
        try:
            server.version()
            return True
        except Unreachable:
            return False
        except Exception:  # noqa: BLE001 - it answered, whatever it said
            return True

    def query(self, expr, at=None):
        """The result of an instant query at the check's time (or `at`); QueryRefused with Prometheus' reason."""
        return self._ask(self.prometheus, "query", expr, at=at or self.at)

    def query_range(self, expr, start, end, step):
        return self._ask(self.prometheus, "query_range", expr, start, end, step)

    def on_datasets(self, what, *args, **kwargs):
        """A call on the data sets' Prometheus (query, query_range)."""
        return self._ask(self.datasets, what, *args, **kwargs)

    def fresh(self, selector):
        """The series of `selector` (a metric name) written in the last two intervals: a series an earlier attempt
        left (a removed job, a rule since changed) lingers in instant queries for Prometheus' 5-minute lookback."""
        window = 2 * self.lab.interval
        return self.query(f"{selector} unless (time() - timestamp({selector}) > {window:g})")

    def api(self, path, **params):
        return self._ask(self.prometheus, "data", path, **params)

    def active_targets(self):
        return self.api("targets", state="active")["activeTargets"]

    def loaded_config(self):
        """The configuration Prometheus runs with."""
        return config_of(self.api("status/config"))

    def exporter_nodes(self):
        """Names of the nodes lab.yaml gives node_exporter: the ones every per-node answer must cover."""
        return sorted(n.name for n in self.lab.nodes_with("node_exporter"))


def lab_file(*keys):
    """The inventory the lab runs from, as the student names it: lab.yaml, or $LAB_FILE relative to the repository; with
    `keys` (("lab", "scrape_interval")), the file of its chain that sets that value, the one to edit (an example's overlay
    takes its scrape interval from lab.yaml)."""
    path = inventory.default_path()
    path = (inventory.origin(path, keys) if keys else path).resolve()
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def on_node(node, command, check=False, input=None):
    """Run a shell command on a node as root (labclient.ssh.run); the CompletedProcess."""
    from labclient import ssh

    proc = ssh.run(node, command, input=input)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{node}: {command}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


@dataclass(frozen=True)
class Exercise:
    number: int
    title: Text
    learn: Text  # one line: what the student learns
    hints: tuple  # of Text, from a nudge to nearly the answer (never the answer itself)
    check: Callable  # (Context) -> [Finding]
    undo: Callable  # (Workspace) -> None: what `make reset-exercise N` does
    level: Text = say("moyen", "medium")
    start: Optional[Callable] = None  # (Workspace) -> None: `make exercise N start`
    builds_on: Optional[int] = None  # the exercise whose result this one needs
    lab_file: str = "lab.yaml"  # the inventory it is written for, or one of its layout (examples/forky.yaml is lab.yaml's)
    replicated: bool = False  # written for a lab with Prometheus replicas and a global view (exercise 13)
    prometheus3: bool = False  # needs what Prometheus 3 brought (UTF-8 names, the OpenTelemetry data sets)

    def fits(self, lab):
        """True when the lab has the layout the exercise is written for: one Prometheus, or replicas with a global
        view, and a Prometheus 3 where it needs one. Its proof runs on any such lab (lab.yaml's layout with Debian
        13's Prometheus 2 or forky's 3)."""
        return (bool(lab.replicated and lab.global_view) == self.replicated
                and (not self.prometheus3 or lab.prometheus_release.major >= 3))
    faults: tuple = ()  # the kinds of fault its start may make (PROMLAB_FAULT), each proven
    # {a scripted attempt of teacher/ (its name without .sh): the kinds of fault its proof starts the exercise with}; a
    # solution not named here meets every kind of `faults`, a wrong attempt not named a start without one
    proven_with: dict = field(default_factory=dict)
    # {answer file (or "rule", "alert"): judge(ctx, answer) -> [Finding]}: what judges an answer on the exercises' data
    # sets alone (teacher/cases.yaml's cases are proven through them)
    judges: dict = field(default_factory=dict)
