"""Helpers for the fast tests: inventories of any size built from lab.yaml, temporary roots."""

import copy
import http.server
import shutil
import threading

import pytest

from provision import steps
from tests import pristine


@pytest.fixture(scope="session")
def lab_yaml():
    """lab.yaml as committed, loaded, never modified: tests take a deep copy (a student's lab.yaml is theirs)."""
    return pristine.raw("lab.yaml")


@pytest.fixture(scope="session", autouse=True)
def templates_without_students_work(tmp_path_factory):
    """Every fast test renders from templates/ without the student's own parts (tests/pristine.py): `make test` passes
    with a student's jobs, rules and dashboards in place."""
    from provision import render

    folder = pristine.templates(tmp_path_factory.mktemp("pristine") / "templates")
    saved, render.TEMPLATES = render.TEMPLATES, folder
    yield folder
    render.TEMPLATES = saved


SERVER_EXPORTERS = pristine.lab().server_exporters()  # the lab model says which exporters watch a server


def sized(raw, count):
    """An inventory like lab.yaml with `count` nodes: node1 runs Prometheus and blackbox_exporter, the
    others node_exporter, node2 to node5 also one server exporter each (as many as there are nodes)."""
    raw = copy.deepcopy(raw)
    raw["nodes"] = [{"name": "node1", "ip": "192.168.56.11",
                     "roles": ["prometheus", "blackbox_exporter"] + (["node_exporter"] if count == 1 else []),
                     "forwarded_ports": [{"guest": 9090, "host": 9090}]}]
    raw["nodes"] += [{"name": f"node{i}", "ip": f"192.168.56.{10 + i}", "roles": ["node_exporter", *SERVER_EXPORTERS[i - 2:i - 1]]}
                     for i in range(2, count + 1)]
    return raw


@pytest.fixture
def root(tmp_path):
    """A temporary root with the passwd/group/shadow files useradd --prefix needs."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "group").write_text("root:x:0:\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "gshadow").write_text("root:*::\n")
    return tmp_path


@pytest.fixture
def run(root, capsys):
    return steps.Run(node="test", root=root)


needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None,
                                    reason="promtool is not installed (Debian: apt-get install prometheus)")


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 serving {path: bytes} (or {path: (302, location)}); counts the requests."""
    files, hits = {}, []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            hits.append(self.path)
            body = files.get(self.path)
            if isinstance(body, tuple):
                self.send_response(body[0])
                self.send_header("Location", body[1])
                self.end_headers()
                return
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            if body is not None:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, files, hits
    httpd.shutdown()
