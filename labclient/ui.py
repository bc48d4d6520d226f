"""The web pages of the Prometheus that runs, asked of the server itself: its version (/api/v1/status/buildinfo) and
what its pages are. Upstream's builds embed the React UI (Prometheus 3: /query, /targets, /alerts); Debian's packages
leave it out: Debian's 2.x keeps the classic UI under /classic/, Debian's 3.x has none (its pages say the UI is not
packaged; the HTTP API is whole). What the lab tells a student (make status, the tour, the browser test) comes
from here."""

from dataclasses import dataclass

import requests

# A page of Debian's package that stands where the React UI would be says how to install it.
NOT_PACKAGED = "install-ui.sh"


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

    def menu(self, lang="en"):
        """How to reach the targets page through the menus, in words."""
        if self.kind == "none":
            return {"en": "no web UI in Debian's package: use Grafana's Explore, or promtool query instant",
                    "fr": "pas d’interface web dans le paquet Debian\u202f: utilisez Explore dans Grafana, ou promtool "
                          "query instant"}[lang]
        page = "Target health" if self.kind == "react" and self.major >= 3 else "Targets"
        return {"en": f"menu Status → {page}; Alerts", "fr": f"menu Status → {page}\u202f; Alerts"}[lang]


def _page(url):
    """(status code, text) of a page, without following a redirect; (None, '') when the server does not answer."""
    try:
        reply = requests.get(url, timeout=5, allow_redirects=False)
        return reply.status_code, reply.text
    except requests.RequestException:
        return None, ""


def pages(prometheus):
    """The Pages of the server behind a labclient Prometheus client."""
    version = prometheus.version()
    major = int(version.split(".")[0])
    home = "/query" if major >= 3 else "/graph"
    code, text = _page(prometheus.url + home)
    if code == 200 and NOT_PACKAGED not in text:
        return Pages(version, "react", home, "/targets", "/alerts")
    code, _ = _page(prometheus.url + "/classic/graph")
    if code == 200:
        return Pages(version, "classic", "/classic/graph", "/classic/targets", "/classic/alerts")
    return Pages(version, "none")
