"""Which pages the running Prometheus has, asked of it (labclient/ui.py): upstream's React UI, Debian's classic UI
under /classic/, or none (Debian's Prometheus 3); against a local server that answers as each does. Where its home page
leads says which UI it is, never the tour's own paths (which the browser test checks)."""

import json

import pytest

from labclient.prom import Prometheus
from labclient.ui import pages

NOTICE = b"<p>The React UI is not packaged. Deploy it with /usr/share/prometheus/install-ui.sh</p>"
ROOT = b"<div id=root></div>"


def buildinfo(version):
    return json.dumps({"status": "success", "data": {"version": version}}).encode()


@pytest.mark.parametrize(("version", "served", "kind", "targets", "menu"), [
    ("3.13.4", {"/": (302, "/query"), "/query": ROOT}, "react", "/targets", "Status → Target health"),
    ("2.55.1", {"/": (302, "/graph"), "/graph": ROOT}, "react", "/targets", "Status → Targets"),
    ("2.53.3+ds1", {"/": (302, "/classic/graph"), "/classic/graph": b"<html>classic</html>"}, "classic",
     "/classic/targets", "Status → Targets"),
    ("3.5.3+ds1", {"/": (302, "/query"), "/query": NOTICE}, "none", None, "no web UI"),
])
def test_the_pages_are_those_of_the_version_that_runs(server, version, served, kind, targets, menu):
    httpd, files, _ = server
    files.update({"/api/v1/status/buildinfo": buildinfo(version), **served})
    url = f"http://127.0.0.1:{httpd.server_port}"
    found = pages(Prometheus(url=url))
    assert (found.kind, found.targets, found.version) == (kind, targets, version)
    assert menu in found.where(url, "targets", "en")
    assert found.where(url, "targets", "fr")


def test_a_query_page_is_its_address(server):
    httpd, files, _ = server
    files.update({"/api/v1/status/buildinfo": buildinfo("2.53.3+ds1"), "/": (302, "/classic/graph"),
                  "/classic/graph": b"classic"})
    url = f"http://127.0.0.1:{httpd.server_port}"
    assert pages(Prometheus(url=url)).where(url, "query") == f"{url}/classic/graph"


def test_a_hint_naming_the_targets_page_gives_its_address_on_the_prometheus_that_runs(server, monkeypatch, capsys):
    from exercises import __main__ as cli
    from labclient import lab

    httpd, files, _ = server
    files.update({"/api/v1/status/buildinfo": buildinfo("2.53.3+ds1"), "/": (302, "/classic/graph"),
                  "/classic/graph": b"classic"})
    url = f"http://127.0.0.1:{httpd.server_port}"
    monkeypatch.setattr(lab, "loaded", lambda: type("Lab", (), {"prometheus": type("E", (), {"host_url": url})})())
    cli._where("targets", "en")
    assert capsys.readouterr().out.strip() == f"→ {url}/classic/targets (menu Status → Targets)"


def test_a_hint_says_nothing_more_when_the_lab_does_not_answer(monkeypatch, capsys):
    from exercises import __main__ as cli
    from labclient import lab

    monkeypatch.setattr(lab, "loaded", lambda: type("Lab", (), {"prometheus": type("E", (), {"host_url": "http://127.0.0.1:9"})})())
    cli._where("targets", "en")
    assert capsys.readouterr().out == ""
