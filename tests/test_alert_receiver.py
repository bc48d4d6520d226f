"""The lab's alert receiver (provision/files/alert_receiver.py), run on 127.0.0.1: it records only what
carries the bearer token, refuses malformed bodies, writes nothing for either, and rotates its file."""

import http.client
import json
import resource
import secrets
import sys
import time
import urllib.error
import urllib.request

import pytest

from provision import inventory, waiting
from tests import attacks

sys.path.insert(0, str(inventory.REPO / "provision" / "files"))
import served  # noqa: E402 - beside the receiver, as in the guest

# A service's real-time deadlines under attack: run alone, on a quiet machine (make test-fast).
pytestmark = pytest.mark.deadlines

PROGRAM = inventory.REPO / "provision" / "files" / "alert_receiver.py"
NOTIFICATION = {"version": "4", "status": "firing", "receiver": "lab-receiver",
                "alerts": [{"status": "firing", "labels": {"alertname": "InstanceDown", "node": "node3", "job": "node"},
                            "startsAt": "2026-11-27T06:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}]}


@pytest.fixture
def receiver(tmp_path):
    """(base URL, token, store file) of a receiver running for one test (its process: _running[base URL])."""
    token, store = secrets.token_urlsafe(32), tmp_path / "notifications.jsonl"
    (tmp_path / "token").write_text(token + "\n")
    # As its unit (LimitNOFILE=2048): the receiver's own bound (served.MOST), not a lower file limit it inherits, is what
    # the tests of the bound meet.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(2048, hard)), hard))
    proc, (port,) = attacks.started([sys.executable, str(PROGRAM), "--listen", "127.0.0.1:0", "--store", str(store),
                                     "--token-file", str(tmp_path / "token")], r"listening on 127\.0\.0\.1:(\d+)")
    base = f"http://127.0.0.1:{port}"
    _running[base] = proc
    yield base, token, store
    proc.kill()
    proc.wait()


_running = {}


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


def _get(base, source, timeout=3):
    """GET /alerts from `source` (a loopback address): True when answered 200 within `timeout` seconds."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", "/alerts")
        return connection.getresponse().status == 200
    finally:
        connection.close()


def _notify(base, token):
    """Alertmanager's notification, from the receiver's own address, answered 200 within 3 s."""
    request = urllib.request.Request(f"{base}/alerts", data=json.dumps(NOTIFICATION).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=3) as reply:
        return reply.status == 200


SHARED = "127.0.0.7"  # the address a reader of the receiver shares with the attackers (one NAT for all)
ATTACKS = attacks.catalogue(SHARED)  # name: (kind, its connections' addresses)
IDS = attacks.ids(ATTACKS)


@pytest.mark.parametrize("kind, sources", ATTACKS.values(), ids=IDS)
def test_notifications_are_recorded_during_an_attack(receiver, kind, sources):
    base, token, _ = receiver
    with attacks.attack(kind, int(base.rsplit(":", 1)[1]), sources) as seen:
        ok, failures = attacks.answered(lambda: _notify(base, token))
    assert ok >= 9, f"{ok} of 10 notifications recorded within 3 s during the attack ({seen}): {failures}"


@pytest.mark.parametrize("kind, sources", ATTACKS.values(), ids=IDS)
def test_a_reader_sharing_the_attackers_address_is_answered(receiver, kind, sources):
    base, _, _ = receiver
    with attacks.attack(kind, int(base.rsplit(":", 1)[1]), sources) as seen:
        ok, failures = attacks.answered(lambda: _get(base, SHARED))
    assert ok >= 9, f"{ok} of 10 reads of /alerts from {SHARED} answered within 3 s during the attack ({seen}): {failures}"


@pytest.mark.parametrize("kind, sources", ATTACKS.values(), ids=IDS)
def test_an_attack_leaves_the_receiver_small_and_alive(receiver, kind, sources):
    """Half the alert receiver unit's MemoryMax (128M) at most, at the attack's peak; it answers afterwards."""
    base, token, _ = receiver
    with attacks.attack(kind, int(base.rsplit(":", 1)[1]), sources):
        time.sleep(4)
    peak = attacks.peak_memory(_running[base].pid)
    assert peak < 64, f"the receiver's memory peaked at {peak:.0f} MiB under the attack"
    assert _notify(base, token), "the receiver did not answer after the attack"


@pytest.mark.parametrize("kind", ["half", "trickle"])
def test_a_request_that_does_not_arrive_in_time_is_let_go(receiver, kind):
    """A connection that stalls, or sends a byte every 2 s, is closed within the receiver's deadline for the request
    line and headers (a few seconds): held for ever, it would hold memory and a connection's place."""
    base, _, _ = receiver
    with attacks.attack(kind, int(base.rsplit(":", 1)[1]), ["127.0.0.8"]) as seen:
        waiting.became(lambda: seen.closed, 30, interval=0.2)
    assert seen.closed >= 1, f"a {kind} connection still open after 30 s ({seen})"


def test_a_connection_past_the_bound_in_all_is_closed_at_once(receiver):
    base, _, _ = receiver
    sources = attacks.addresses(served.MOST + 40, per_address=8)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < len(sources) + 200:
        pytest.skip(f"this process may open {hard} files, fewer than the {len(sources)} connections the bound needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, len(sources) + 200), hard))
    with attacks.attack("half", int(base.rsplit(":", 1)[1]), sources) as seen:
        # Those past the bound are closed at once, before the first connection, held within the bound, is let go at a
        # half request's own deadline: judged by the order of the closings, not by a clock a busy machine slows.
        waiting.until(lambda: _closed_before_the_first(seen.order), lambda n: n >= 40, 30,
                      f"40 of {len(sources)} half requests closed before the first one opened")


def _closed_before_the_first(order):
    """How many connections the service closed before the first one opened (all of them while it is open)."""
    return order.index(0) if 0 in order else len(order)


def test_three_hundred_stalled_connections_take_no_thread(receiver):
    """A thread per connection would grow with the attackers (the file limit, then memory): one event loop serves all."""
    base, token, _ = receiver
    with attacks.attack("half", int(base.rsplit(":", 1)[1]), attacks.addresses(300, per_address=4)):
        count = attacks.threads(_running[base].pid)
        assert count <= 2, f"{count} threads for 300 stalled connections"
        assert _notify(base, token)


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("POST", "/-/healthy", {"Content-Length": str(1 << 20)}),
    ("GET", "/alerts", {"Content-Length": str(1 << 20)}),
    ("POST", "/alerts", {"Transfer-Encoding": "chunked"}),
    ("POST", "/nowhere", {"Content-Length": str(1 << 20)})], ids=["post-to-health", "get-with-a-body", "chunked", "elsewhere"])
def test_a_body_nobody_admitted_is_refused_unread(receiver, method, path, headers):
    """Whatever the route or method: a body is read only once admitted (the token, its size); else refused at once."""
    base, _, store = receiver
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=5)
    connection.putrequest(method, path)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()  # no body follows: the receiver must answer without waiting for it
    assert connection.getresponse().status in (400, 401, 404, 405, 413)
    assert not store.exists()


def test_connections_closed_no_longer_count_against_the_bound(receiver):
    """Over a thousand half requests, closed by the receiver's deadline and reopened (more than the bound in all, one
    after another): a reader from another address is still answered."""
    base, _, _ = receiver
    with attacks.attack("half", int(base.rsplit(":", 1)[1]), attacks.addresses(400, per_address=8)) as seen:
        waiting.became(lambda: seen.closed >= served.MOST + 100, 30)
    assert seen.closed > served.MOST, f"only {seen.closed} connections were closed in 30 s ({seen})"
    assert _get(base, SHARED), "a reader was refused after the connections were closed: they are still counted"
