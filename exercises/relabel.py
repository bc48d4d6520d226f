"""Prometheus' relabelling, asked of Prometheus itself: `promtool check service-discovery` on the Prometheus node
applies a job's relabel_configs (as Prometheus loaded them) to a target the check chooses, and says the labels the
target would get. A label derived from __address__ follows the address; one written as it is does not. No replay of
Prometheus' relabelling (regular expressions are RE2's, actions are Prometheus') is made here."""

import base64
import json
import shlex

import yaml

from exercises.base import on_node


class Unanswered(Exception):
    """promtool did not say (an old promtool without service-discovery, a config it refuses)."""


def config_for(job, address, labels):
    """A configuration of the job alone, its relabelling as loaded, one static target at `address` with `labels`."""
    kept = {k: v for k, v in job.items() if k not in ("static_configs", "file_sd_configs") and not k.endswith("_sd_configs")}
    kept["static_configs"] = [{"targets": [address], "labels": labels}]
    return yaml.safe_dump({"scrape_configs": [kept]}, sort_keys=False)


def script(config, job_name):
    encoded = base64.b64encode(config.encode()).decode()
    return ("set -e\nf=$(mktemp)\ntrap 'rm -f \"$f\"' EXIT\n"
            f"echo {encoded} | base64 -d > \"$f\"\n"
            f"promtool check service-discovery --timeout=1s \"$f\" {shlex.quote(job_name)}\n")


def relabelled(node, job, address, labels):
    """The labels Prometheus would give a target of `job` (its loaded configuration) at `address` with the static
    `labels`, after relabel_configs; None when relabelling drops it. Unanswered when promtool does not say."""
    proc = on_node(node, script(config_for(job, address, labels), job["job_name"]))
    try:
        found = json.loads(proc.stdout)
    except ValueError:
        raise Unanswered((proc.stderr or proc.stdout).strip()[-300:]) from None
    if proc.returncode != 0 or not isinstance(found, list):
        raise Unanswered((proc.stderr or proc.stdout).strip()[-300:])
    return found[0]["labels"] if found and found[0].get("labels") else None
