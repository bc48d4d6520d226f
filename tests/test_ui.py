"""Which pages the running Prometheus has, asked of it (labclient/ui.py): upstream's React UI, Debian's classic UI
under /classic/, or none (Debian's Prometheus 3); against a local server that answers as each does."""

import json

import pytest

from labclient.prom import Prometheus
from labclient.ui import pages

NOTICE = b"<p>The React UI is not packaged. Deploy it with /usr/share/prometheus/install-ui.sh</p>"


def buildinfo(version):
    return json.dumps({"status": "success", "data": {"version": version}}).encode()


@pytest.mark.parametrize(("version", "served", "kind", "targets", "menu"), [
    ("3.13.4", {"/query": b"<div id=root></div>"}, "react", "/targets", "Status → Target health"),
    ("2.55.1", {"/graph": b"<div id=root></div>"}, "react", "/targets", "Status → Targets"),
    ("2.53.3+ds1", {"/graph": NOTICE, "/classic/graph": b"<html>classic</html>"}, "classic", "/classic/targets", "Status → Targets"),
    ("3.5.3+ds1", {"/query": NOTICE}, "none", None, "no web UI"),
])
def test_the_pages_are_those_of_the_version_that_runs(server, version, served, kind, targets, menu):
    httpd, files, _ = server
    files.update({"/api/v1/status/buildinfo": buildinfo(version), **served})
    found = pages(Prometheus(url=f"http://127.0.0.1:{httpd.server_port}"))
    assert (found.kind, found.targets, found.version) == (kind, targets, version)
    assert menu in found.menu("en") and found.menu("fr")
