"""The grafana role applies lab.yaml's admin password even to a Grafana that already exists.

A local HTTP server stands in for Grafana's documented /api/health and /api/user
(basic auth); the `grafana cli admin reset-admin-password` call is intercepted
and changes that server's password, as the real CLI changes Grafana's database.
"""

import base64
import http.server
import json
import threading

import pytest

from provision import steps
from provision.roles import grafana


@pytest.fixture
def fake_grafana():
    state = {"password": "admin", "resets": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            if self.path == "/api/health":
                return self._reply(200, {"database": "ok"})
            expected = "Basic " + base64.b64encode(f"admin:{state['password']}".encode()).decode()
            if self.path == "/api/user" and self.headers.get("Authorization") == expected:
                return self._reply(200, {"login": "admin"})
            return self._reply(401, {"message": "invalid username or password"})

        def _reply(self, status, body):
            self.send_response(status)
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_port, state
    httpd.shutdown()


class CliRun(steps.Run):
    """A Run whose `grafana cli ... reset-admin-password` changes the stand-in's password."""

    state = None

    def sh(self, *cmd, check=True, env=None, input=None):
        assert cmd[:4] == ("runuser", "-u", "grafana", "--") and "reset-admin-password" in cmd, cmd
        assert "--password-from-stdin" in cmd and input.strip() not in " ".join(cmd), "the password must not be in the command line"
        self.state["password"] = input.strip()
        self.state["resets"].append(cmd)


def _component(port, password="lab-password-1"):
    return {"port": port, "admin_user": "admin", "admin_password": password}


def _run(state):
    run = CliRun(node="test")
    run.state = state
    return run


def test_changed_password_is_reset_then_left_alone(fake_grafana):
    port, state = fake_grafana
    assert grafana.admin_password(_run(state), _component(port), "/opt/grafana/bin/grafana")
    assert state["password"] == "lab-password-1" and len(state["resets"]) == 1
    assert not grafana.admin_password(_run(state), _component(port), "/opt/grafana/bin/grafana")
    assert len(state["resets"]) == 1, "a second run reset the password again"


def test_password_already_in_place_is_ok(fake_grafana):
    port, state = fake_grafana
    state["password"] = "lab-password-1"
    assert not grafana.admin_password(_run(state), _component(port), "/opt/grafana/bin/grafana")
    assert state["resets"] == []


def test_reset_that_does_not_take_is_an_error(fake_grafana):
    port, state = fake_grafana

    class BrokenCli(CliRun):
        def sh(self, *cmd, check=True, env=None, input=None):
            self.state["resets"].append(cmd)  # the CLI "succeeds" but changes nothing

    run = BrokenCli(node="test")
    run.state = state
    with pytest.raises(steps.StepError, match="still cannot sign in"):
        grafana.admin_password(run, _component(port), "/opt/grafana/bin/grafana")
