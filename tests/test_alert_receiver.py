"""The lab's alert receiver (provision/files/alert_receiver.py), run on 127.0.0.1: it records only what
carries the bearer token, refuses malformed bodies, writes nothing for either, and rotates its file."""

import contextlib
import http.client
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from provision import inventory

PROGRAM = inventory.REPO / "provision" / "files" / "alert_receiver.py"
NOTIFICATION = {"version": "4", "status": "firing", "receiver": "lab-receiver",
                "alerts": [{"status": "firing", "labels": {"alertname": "InstanceDown", "node": "node3", "job": "node"},
                            "startsAt": "2026-11-27T06:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}]}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def receiver(tmp_path):
    """(base URL, token, store file) of a receiver running for one test (its process: receiver.proc)."""
    token, port, store = secrets.token_urlsafe(32), _free_port(), tmp_path / "notifications.jsonl"
    (tmp_path / "token").write_text(token + "\n")
    proc = subprocess.Popen([sys.executable, str(PROGRAM), "--listen", f"127.0.0.1:{port}", "--store", str(store),
                             "--token-file", str(tmp_path / "token")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base, deadline, last = f"http://127.0.0.1:{port}", time.monotonic() + 10, None
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/-/healthy", timeout=1)
            break
        except OSError as e:
            last = e
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail(f"the receiver did not answer within 10 s; last seen: {last}; {proc.stderr.read()[:300]!r}")
    _running[base] = proc
    yield base, token, store
    proc.kill()
    proc.wait()


_running = {}


def _threads(base):
    """How many threads the receiver's process runs."""
    status = open(f"/proc/{_running[base].pid}/status").read()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def post(base, body, token=None, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/alerts", data=data, method="POST", headers=headers or {})
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as e:
        return e.code


def recorded(base):
    with urllib.request.urlopen(f"{base}/alerts", timeout=5) as reply:
        return json.loads(reply.read())


def test_a_notification_with_the_token_is_recorded_as_alertmanager_s(receiver):
    base, token, store = receiver
    assert post(base, NOTIFICATION, token) == 200
    (entry,) = recorded(base)
    assert entry["by"] == "alertmanager" and entry["alerts"][0]["labels"]["node"] == "node3"
    assert json.loads(store.read_text()) == entry


@pytest.mark.parametrize("token", [None, "", "wrong-token-of-some-length-000000000000", "TOKEN-WITH-SUFFIX"],
                         ids=["none", "empty", "wrong", "token-plus-suffix"])
def test_a_notification_without_the_token_is_refused_and_not_recorded(receiver, token):
    base, real, store = receiver
    sent = real + "x" if token == "TOKEN-WITH-SUFFIX" else token
    assert post(base, NOTIFICATION, sent) == 401
    assert recorded(base) == [] and not store.exists()


def test_a_basic_auth_header_carrying_the_token_is_refused(receiver):
    base, token, store = receiver
    assert post(base, NOTIFICATION, headers={"Authorization": f"Basic {token}"}) == 401
    assert not store.exists()


MALFORMED = {
    "not-json": b"{not json",
    "a-list": [1, 2],
    "alerts-not-a-list": {"status": "firing", "alerts": "InstanceDown"},
    "alert-not-an-object": {"status": "firing", "alerts": ["InstanceDown"]},
    "labels-not-strings": {"status": "firing", "alerts": [{"status": "firing", "labels": {"node": 3}}]},
    "status-missing": {"alerts": [{"labels": {}}]},
    "not-utf8": b"\xff\xfe{}",
    "deeply-nested": b"[" * 100000 + b"]" * 100000,
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_with_the_token_is_refused_and_not_recorded(receiver, body):
    base, token, store = receiver
    assert post(base, body, token) == 400
    assert recorded(base) == [] and not store.exists()
    assert post(base, NOTIFICATION, token) == 200, "the receiver did not survive the malformed body"


def test_an_oversized_body_is_refused_unread(receiver):
    base, token, store = receiver
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=5)
    connection.putrequest("POST", "/alerts")
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Length", str(2 << 20))
    connection.endheaders()  # no body follows: the receiver must answer without reading it
    assert connection.getresponse().status == 413
    assert recorded(base) == [] and not store.exists()


def test_the_store_is_rotated_past_one_mebibyte(receiver):
    base, token, store = receiver
    big = dict(NOTIFICATION, alerts=NOTIFICATION["alerts"] * 40)
    assert post(base, big, token) == 200
    for _ in range((1 << 20) // store.stat().st_size + 1):
        assert post(base, big, token) == 200
    old = store.with_name(store.name + ".1")
    assert old.exists() and store.stat().st_size < old.stat().st_size, "no rotation past 1 MiB"
    assert len(recorded(base)) <= 1000


@contextlib.contextmanager
def stalled(base, sources, some_refused=False):
    """One connection to the receiver at `base` from each address of `sources`, each sending half a request and
    stalling; all closed on leaving. With some_refused, a connection the receiver closes at once (its limits) is left
    out instead of failing the test."""
    port = int(base.rsplit(":", 1)[1])
    conns = []
    try:
        for source in sources:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
                conns.append(conn)
                conn.sendall(b"POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
            except OSError:
                if not some_refused:
                    raise
        yield port, conns
    finally:
        for conn in conns:
            conn.close()


def test_many_stalled_clients_do_not_keep_an_authenticated_notification_waiting(receiver):
    """Sixty connections from other addresses send half a request and stall (bounded: 15 addresses, 4 each, held for
    the test's few seconds): Alertmanager's notification, from its own address, is still recorded."""
    base, token, store = receiver
    with stalled(base, [f"127.0.0.{10 + i // 4}" for i in range(60)]):
        assert post(base, NOTIFICATION, token=token) == 200
        assert json.loads(store.read_text().splitlines()[-1])["alerts"][0]["labels"]["alertname"] == "InstanceDown"


def test_an_address_past_its_share_of_connections_is_closed_at_once(receiver):
    base, _, _ = receiver
    with stalled(base, ["127.0.0.9"] * 4) as (port, _):
        extra = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.9", 0))
        extra.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        assert extra.recv(100) == b"", "a fifth connection of one address was served"
        extra.close()


def test_a_stalled_client_is_let_go(receiver):
    """A connection that sends nothing more is closed by the receiver (its read times out), not held for ever."""
    base, _, _ = receiver
    with stalled(base, ["127.0.0.8"]) as (_, (conn,)):
        conn.settimeout(30)  # the deadline: the receiver's own timeout is a few seconds
        assert conn.recv(100) == b"", "the receiver answered a half request instead of letting it go"


def test_three_hundred_stalled_connections_take_a_bounded_number_of_threads(receiver):
    """A thread per connection would grow with the attackers (the file limit, then memory): the pool stays its size."""
    base, token, _ = receiver
    sources = [f"127.0.{1 + i // 200}.{10 + (i % 200) // 4}" for i in range(300)]
    with stalled(base, sources, some_refused=True) as (_, held):
        time.sleep(0.5)
        assert _threads(base) <= 1 + 16 + 4 + 2, f"{_threads(base)} threads for {len(held)} stalled connections"
        assert post(base, NOTIFICATION, token=token) == 200
