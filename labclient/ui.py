"""The web pages of the Prometheus that runs, asked of the server itself: its version (/api/v1/status/buildinfo) and
what its pages are. Upstream's builds embed the React UI (Prometheus 3: /query, /targets, /alerts); Debian's packages
leave it out: Debian's 2.x keeps the classic UI under /classic/, Debian's 3.x has none (its pages say the UI is not
packaged; the HTTP API is whole) until the lab installs the one it builds from Debian's source (provision/web_ui.py),
the React UI again. The paths are the tour's own (docs/tour.yaml): what the lab tells a student (make
status, the tour, the browser test) comes from there."""

import functools
import urllib.parse
from dataclasses import dataclass

import yaml

from labclient import http
from provision.paths import REPO

# A page of Debian's package that stands where the React UI would be says how to install it.
NOT_PACKAGED = "install-ui.sh"


@functools.cache
def uis():
    """{kind: {query, targets, alerts, targets_menu, result_tab}} of the tour (docs/tour.yaml)."""
    return yaml.safe_load((REPO / "docs" / "tour.yaml").read_text(encoding="utf-8"))["uis"]


@dataclass(frozen=True)
class Pages:
    version: str
    kind: str  # "react", "classic" or "none"
    query: str = None  # paths on the server, or None
    targets: str = None
    alerts: str = None

    @property
    def major(self):
        return int(self.version.split(".")[0])

    def where(self, url, page="targets", lang="en"):
        """Where a student finds `page` (query, targets, alerts) on this Prometheus, in words: its address and the
        menu that leads there, or, without a web UI, what to use instead."""
        if self.kind == "none":
            return {"en": f"Prometheus {self.version} has no web UI (Debian's package; make prometheus-ui builds it, "
                          "then make provision): Grafana's Explore, or "
                          f"promtool query instant {url} 'up' on the Prometheus node; {url}/api/v1/targets lists the "
                          "targets",
                    "fr": f"Prometheus {self.version} n'a pas d'interface web (paquet Debian\u202f; make prometheus-ui la "
                          "construit, puis make provision)\u202f: Explore dans "
                          f"Grafana, ou promtool query instant {url} 'up' sur le nœud de Prometheus\u202f; "
                          f"{url}/api/v1/targets liste les cibles"}[lang]
        address = url + getattr(self, page)
        if page != "targets":
            return address
        menu = uis()[self.kind]["targets_menu"] if self.major >= 3 or self.kind == "classic" else "Status → Targets"
        return f"{address} (menu {menu})"  # the same in both languages: the menu's words are Prometheus' own


def _home(url):
    """(path the home page leads to, its text); (None, '') when the server does not answer."""
    try:
        reply = http.get(url + "/")
        return urllib.parse.urlparse(reply.url).path, reply.text
    except http.Unreachable:
        return None, ""


def pages(prometheus):
    """The Pages of the server behind a labclient Prometheus client. Which UI it has is read from where its home page
    leads (never from the tour's paths, which the browser test checks): Debian's page saying the UI is not packaged,
    the classic UI under /classic/, else the React UI."""
    version = prometheus.version()
    major = int(version.split(".")[0])
    path, text = _home(prometheus.url)
    if path is None or NOT_PACKAGED in text:
        return Pages(version, "none")
    kind = "classic" if path.startswith("/classic/") else "react"
    ui = dict(uis()[kind])
    if kind == "react" and major < 3:
        ui["query"] = "/graph"  # Prometheus 2's React UI
    return Pages(version, kind, ui["query"], ui["targets"], ui["alerts"])
