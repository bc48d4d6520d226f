"""The lab's Prometheus HTTP API, reached on the host through the forwarded port; each replica's, and the
global view's (VictoriaMetrics or Thanos' querier answer Prometheus' query API)."""

import re
from datetime import datetime

import requests

from labclient import http
from labclient.http import Unreachable, why  # noqa: F401 - labclient.prom.Unreachable and why, as callers import them
from labclient.lab import loaded


class QueryRefused(Exception):
    """Prometheus answered, and refused (a PromQL error, an unknown API); str() is its own reason."""


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
    def __init__(self, lab=None, url=None, auth=None):
        self.url = url or base_url(lab or loaded())
        self.auth = auth

    def get(self, path, **params):
        return http.get(self.url + path, at=self.url, params=params, auth=self.auth)

    def data(self, path, **params):
        """data of /api/v1/<path>; Unreachable when Prometheus does not answer, QueryRefused with its reason.
        A query goes as a form (POST): a long one fits, and its text reaches Prometheus as written."""
        try:
            if path in ("query", "query_range"):
                reply = http.post(f"{self.url}/api/v1/{path}", at=self.url, data=params, timeout=15, auth=self.auth)
            else:
                reply = self.get(f"/api/v1/{path}", **params)
            body = reply.json()
        except requests.RequestException as e:  # no answer, or one that is not JSON (requests' JSONDecodeError)
            raise Unreachable(self.url, e) from None
        except ValueError:
            raise QueryRefused(f"HTTP {reply.status_code}, not JSON") from None
        if body.get("status") != "success":
            raise QueryRefused(body.get("error", f"HTTP {reply.status_code}"))
        return body["data"]

    def api(self, path, **params):
        """data of /api/v1/<path>; AssertionError with Prometheus' own error otherwise (for the tests)."""
        try:
            return self.data(path, **params)
        except (QueryRefused, Unreachable) as e:
            raise AssertionError(f"GET /api/v1/{path} {params}: {e}") from None

    def query_range(self, expr, start, end, step):
        return self.data("query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step}")["result"]

    def version(self):
        """The version Prometheus reports (/api/v1/status/buildinfo), e.g. '2.53.3+ds1'."""
        return self.data("status/buildinfo")["version"]

    def active_targets(self):
        """The active targets; Unreachable or QueryRefused when Prometheus cannot say."""
        return self.data("targets", state="active")["activeTargets"]

    def loaded_config(self):
        """The configuration Prometheus runs with (what it loaded, not what the node's file says)."""
        return config_of(self.api("status/config"))

    def target(self, job, node):
        """The active target of `job` labelled with `node`, or None."""
        return find_target(self.active_targets(), job, node)

    def query(self, expr, at=None):
        """An instant query's result, now or at `at` (a Unix time); QueryRefused with Prometheus' reason."""
        return self.data("query", query=expr, **({"time": f"{at:.3f}"} if at is not None else {}))["result"]


def replicas(lab=None):
    """{node name: Prometheus} for every Prometheus of the lab (one, or the replicas)."""
    return {e.node.name: Prometheus(url=e.host_url) for e in (lab or loaded()).endpoints("prometheus")}


def global_view(lab=None):
    """The deduplicated view of the replicas (with VictoriaMetrics' credentials), or None."""
    from provision import credentials

    view = (lab or loaded()).global_view
    if view is None:
        return None
    return Prometheus(url=view.host_url, auth=credentials.remote_write() if view.role == "victoriametrics" else None)
