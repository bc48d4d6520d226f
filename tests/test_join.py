"""`make join` from the student's side: the credential never on a command line nor on disk, and the classroom's reply
treated as untrusted (printable text only, one sentence for a reply it cannot read, never a traceback)."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labclient import classroom_student as client
from provision import roster, waiting
from provision.paths import REPO
from tests.test_classroom import NAMES, SECRET, running


class _Replying(BaseHTTPRequestHandler):
    """Answers every POST with the status and body the test set on the server."""

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, body = self.server.reply
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def impostor():
    """A server at 127.0.0.1 that answers what the test sets (server.reply = (status, bytes)): its URL, the server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Replying)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def _said(impostor, status, body):
    url, server = impostor
    server.reply = (status, body)
    return client.outcome(url, *client.send(url, "c" * 32, {"exercises": {}}))


ESCAPES = ["\x1b]0;owned\x07", "\x1b[2J", "\x1b[31m", "\r\n", "\x00", "\u202e", "\x9b"]


@pytest.mark.parametrize("status", [200, 400, 403, 500])
@pytest.mark.parametrize("escape", ESCAPES, ids=[repr(e) for e in ESCAPES])
def test_a_reply_is_shown_as_printable_text_only(impostor, status, escape):
    body = json.dumps({"student": f"Zo{escape}é", "error": f"no{escape}pe"}, ensure_ascii=False).encode()
    message, _ = _said(impostor, status, body)
    assert message.isprintable() and escape not in message, repr(message)


@settings(max_examples=100, deadline=None)
@given(body=st.binary(max_size=300) | st.text(max_size=100).map(str.encode), status=st.sampled_from([200, 201, 401, 404, 502]))
def test_any_reply_gives_one_printable_sentence_never_a_traceback(impostor, body, status):
    message, code = _said(impostor, status, body)
    assert message.isprintable() and message.startswith("joined ") and code in (0, 1), repr(message)


def test_a_200_that_is_not_the_classrooms_reply_is_said_to_be_unreadable(impostor):
    message, code = _said(impostor, 200, b"<html>captive portal</html>")
    assert code == 1 and "cannot be read as the classroom's" in message


@pytest.mark.parametrize(("env", "says"), [
    ({"CREDENTIAL": "c" * 32}, "process list"),
    ({"CREDENTIAL_FILE": "/nonexistent/credential"}, "cannot be read"),
    ({"CLASSROOM_CA": "/nonexistent/ca.pem"}, "not a file"),
], ids=["on-the-command-line", "file-missing", "ca-missing"])
def test_a_join_setting_that_cannot_be_used_is_refused_in_one_sentence(env, says):
    with pytest.raises(client.JoinError, match=says) as refused:
        client.settings({"CLASSROOM": "http://127.0.0.1:9300", **env}, ask=lambda: "c" * 32)
    assert "\n" not in str(refused.value) and "allowed:" in str(refused.value)


def test_the_credential_is_on_no_command_line_environment_or_file_of_the_reporter(tmp_path):
    """Joined with the credential typed at the prompt: the join file, the reporter's command line and environment hold
    no trace of it; the reporter still reports with it (the classroom takes its reports)."""
    credential = roster.credential(SECRET, NAMES[1])
    with running() as (reports, page, room):
        env = dict(os.environ, CLASSROOM=reports, PROMLAB_CLASSROOM_DIR=str(tmp_path / "classroom"),
                   PROMLAB_PROGRESS=str(tmp_path / "progress"))
        env.pop("CREDENTIAL", None)
        done = subprocess.run([sys.executable, "-c", "import sys; from labclient import classroom_student as c; "
                               "sys.exit(c.join(ask=lambda: sys.stdin.readline()))"], input=credential + "\n", cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=60)
        pid = int((tmp_path / "classroom" / "reporter.pid").read_text())
        try:
            assert done.returncode == 0, done.stdout + done.stderr
            files = "".join(p.read_text() for p in (tmp_path / "classroom").iterdir() if p.is_file())
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode()
            environ = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
            assert credential not in files + cmdline + environ
            waiting.became(lambda: room.counts["accepted"] >= 2, 30, interval=0.2)  # join's own report, then the reporter's
            assert room.counts["accepted"] >= 2, f"the reporter's reports did not arrive: {room.counts}"
        finally:
            subprocess.run([sys.executable, "-m", "labclient.classroom_student", "leave"], cwd=REPO, env=env, capture_output=True,
                           timeout=60)
