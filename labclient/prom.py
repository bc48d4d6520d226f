"""The lab's Prometheus HTTP API, reached on the host through the forwarded port."""

import re
from datetime import datetime

import requests

from labclient.lab import lab as the_lab


def base_url(lab):
    return lab.prometheus.host_url


def parse_time(stamp):
    """A time Prometheus gives (RFC 3339 with nanoseconds); Python 3.9 wants at most microseconds and no 'Z'."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", stamp.replace("Z", "+00:00")))


def config_of(status_config):
    """The configuration Prometheus runs with, from the data of /api/v1/status/config."""
    import yaml

    return yaml.safe_load(status_config["yaml"])


def find_target(targets, job, node):
    """The target of `job` labelled with `node` among `targets` (from /api/v1/targets), or None."""
    found = [t for t in targets if t["labels"]["job"] == job and t["labels"].get("node") == node]
    return found[0] if found else None


class Prometheus:
    def __init__(self, lab=None):
        self.url = base_url(lab or the_lab())

    def get(self, path, **params):
        return requests.get(self.url + path, params=params, timeout=5)

    def api(self, path, **params):
        """data of /api/v1/<path>; AssertionError with Prometheus' own error otherwise."""
        reply = self.get(f"/api/v1/{path}", **params)
        body = reply.json()
        assert body.get("status") == "success", f"GET /api/v1/{path} {params}: {reply.status_code} {body}"
        return body["data"]

    def targets(self):
        return self.api("targets", state="active")["activeTargets"]

    def loaded_config(self):
        """The configuration Prometheus runs with (what it loaded, not what the node's file says)."""
        return config_of(self.api("status/config"))

    def target(self, job, node):
        """The active target of `job` labelled with `node`, or None."""
        return find_target(self.targets(), job, node)

    def query(self, expr):
        return self.api("query", query=expr)["result"]
