"""What every exercise is made of, and what its check talks to.

An exercise is one module of this package holding one `EXERCISE = Exercise(...)`: its titles,
what it teaches, a hint ladder, the check (findings from the live lab), the undo that
`make reset-exercise N` runs, and optionally a start (`make exercise N start`) and the exercise
it builds on. Every text exists in French and in English (`say(fr, en)`).
"""

import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import requests

from exercises.lang import french
from provision import inventory

REPO = inventory.REPO


@dataclass(frozen=True)
class Text:
    fr: str
    en: str

    def __call__(self, lang):
        return self.fr if lang == "fr" else self.en


def say(fr, en):
    return Text(french(fr), en)


@dataclass(frozen=True)
class Finding:
    done: bool
    text: Text


def done(fr, en):
    return Finding(True, say(fr, en))


def missing(fr, en):
    return Finding(False, say(fr, en))


class LabUnreachable(Exception):
    """The lab (or one of its servers) does not answer: one sentence and what to run, never a traceback."""

    def __init__(self, text):
        self.text = text
        super().__init__(text.en)


class QueryRefused(Exception):
    """Prometheus refused a PromQL query; str() is its own error."""


@dataclass
class Context:
    """What a check asks: lab.yaml as it is now, Prometheus' API, and commands on a node."""

    lab: inventory.Lab
    prometheus: object  # labclient.prom.Prometheus
    at: float = field(default_factory=lambda: time.time() - 1)  # one evaluation time for every query of a check
    guest_repo: str = inventory.GUEST_REPO  # where the nodes see the repository

    def _unreachable(self, error):
        return LabUnreachable(say(f"Prometheus ne répond pas à {self.prometheus.url} ({type(error).__name__}) : le lab "
                                  "est-il démarré ? Lancez `make status`, puis `make up`.",
                                  f"Prometheus does not answer at {self.prometheus.url} ({type(error).__name__}): is the "
                                  "lab up? Run `make status`, then `make up`."))

    def _data(self, path, **params):
        """data of /api/v1/<path>: LabUnreachable when Prometheus does not answer, QueryRefused with its reason."""
        try:
            reply = self.prometheus.get(f"/api/v1/{path}", **params)
            body = reply.json()
        except requests.RequestException as e:
            raise self._unreachable(e) from None
        except ValueError:
            raise QueryRefused(f"HTTP {reply.status_code}, not JSON") from None
        if body.get("status") != "success":
            raise QueryRefused(body.get("error", "unknown error"))
        return body["data"]

    def query(self, expr, at=None):
        """The result of an instant query at the check's time (or `at`); QueryRefused with Prometheus' reason."""
        return self._data("query", query=expr, time=f"{at or self.at:.3f}")["result"]

    def fresh(self, selector):
        """The series of `selector` (a metric name) written in the last two intervals: a series an earlier attempt
        left (a removed job, a rule since changed) lingers in instant queries for Prometheus' 5-minute lookback."""
        window = 2 * inventory.seconds(self.lab.scrape_interval)
        return self.query(f"{selector} unless (time() - timestamp({selector}) > {window:g})")

    def query_range(self, expr, start, end, step):
        return self._data("query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step}")["result"]

    def api(self, path, **params):
        return self._data(path, **params)

    def targets(self):
        return self.api("targets", state="active")["activeTargets"]

    def loaded_config(self):
        """The configuration Prometheus runs with."""
        from labclient.prom import config_of

        return config_of(self._data("status/config"))

    def exporter_nodes(self):
        """Names of the nodes lab.yaml gives node_exporter: the ones every per-node answer must cover."""
        return sorted(n.name for n in self.lab.nodes_with("node_exporter"))


def on_node(node, command, check=False):
    """Run a shell command on a node as root (`vagrant ssh`); the CompletedProcess."""
    proc = subprocess.run(["vagrant", "ssh", node, "-c", f"sudo sh -c {_quote(command)}"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{node}: {command}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def _quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"


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
    lab_file: str = "lab.yaml"  # the inventory it is written for (its proof runs on that lab)
    faults: tuple = ()  # the kinds of fault its start may make (PROMLAB_FAULT), each proven
