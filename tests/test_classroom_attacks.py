"""The classroom service as it runs in the guest: its own process, bound to every interface (0.0.0.0), a class
behind one forwarded address. Under each attack of tests/attacks.py, bounded in count and time, a student whose
reports come from the attackers' address is still answered, the service stays small and alive; over TLS too."""

import http.client
import json
import ssl
import subprocess
import sys
import time

import pytest

from provision import roster
from provision.paths import REPO
from tests import attacks
from tests.test_classroom import DONE, NAMES, SECRET

# A service's real-time deadlines under attack: run alone, on a quiet machine (make test-fast).
pytestmark = pytest.mark.deadlines

PROGRAM = REPO / "provision" / "files" / "classroom.py"
NAT = "127.0.0.5"  # every student's address behind the forwarded port (VirtualBox: 10.0.2.2)
MEMORY_MAX = 128  # MiB: the unit's MemoryMax (templates/classroom.service.j2)


def _start(tmp_path, tls=None):
    """(process, reports port) of the service on two ports of every interface the system chose."""
    students = tmp_path / "students.json"
    students.write_text(json.dumps({"students": NAMES, "credentials": roster.hashes(SECRET, NAMES),
                                    "exercises": list(range(1, 14))}))
    extra = ["--tls-certificate", str(tls[0]), "--tls-key", str(tls[1])] if tls else []
    proc, (reports, _) = attacks.started([sys.executable, str(PROGRAM), "--reports", "0.0.0.0:0", "--page", "0.0.0.0:0",
                                          "--students", str(students), "--prometheus", "http://127.0.0.1:9", *extra],
                                         r"reports on 0\.0\.0\.0:(\d+), page on 0\.0\.0\.0:(\d+)")
    return proc, reports


@pytest.fixture
def classroom(tmp_path):
    """(process, reports port) of the service bound to 0.0.0.0, for one test."""
    proc, port = _start(tmp_path)
    yield proc, port
    proc.kill()
    proc.wait()


def _report(port, name, context=None, source=NAT):
    """One report of `name` from `source`, answered 200 within 3 s (as `make exercise` sends it)."""
    kind = http.client.HTTPSConnection if context else http.client.HTTPConnection
    extra = {"context": context} if context else {}
    connection = kind("127.0.0.1", port, timeout=3, source_address=(source, 0), **extra)
    try:
        connection.request("POST", "/report", json.dumps(DONE), {"Authorization": f"Bearer {roster.credential(SECRET, name)}",
                                                                 "Content-Type": "application/json"})
        return connection.getresponse().status == 200
    finally:
        connection.close()


ATTACKS = attacks.catalogue(NAT)  # name: (kind, its connections' addresses)
IDS = attacks.ids(ATTACKS)


@pytest.mark.parametrize("kind, sources", ATTACKS.values(), ids=IDS)
def test_a_student_behind_the_attackers_address_is_answered(classroom, kind, sources):
    _, port = classroom
    students = iter(NAMES * 5)  # each student within their share of reports
    with attacks.attack(kind, port, sources) as seen:
        ok, failures = attacks.answered(lambda: _report(port, next(students)))
    assert ok >= 9, f"{ok} of 10 reports answered within 3 s during the attack ({seen}): {failures}"


@pytest.mark.parametrize("kind, sources", ATTACKS.values(), ids=IDS)
def test_an_attack_leaves_the_classroom_small_and_alive(classroom, kind, sources):
    proc, port = classroom
    with attacks.attack(kind, port, sources):
        time.sleep(4)
    peak = attacks.peak_memory(proc.pid)
    assert peak < MEMORY_MAX / 2, f"the classroom's memory peaked at {peak:.0f} MiB (half its unit's MemoryMax: {MEMORY_MAX / 2:.0f})"
    assert proc.poll() is None and _report(port, "seat 12"), "the classroom did not answer after the attack"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and its key (openssl), as a teacher's would be."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_reports_over_tls_are_taken_with_the_teachers_certificate(tmp_path, certificate):
    proc, port = _start(tmp_path, tls=certificate)
    try:
        trusted = ssl.create_default_context(cafile=str(certificate[0]))
        assert _report(port, "Zoé Martin", context=trusted)
        with pytest.raises(ssl.SSLCertVerificationError):  # a certificate nobody vouched for is refused by the client
            _report(port, "seat 12", context=ssl.create_default_context())
    finally:
        proc.kill()
        proc.wait()


def test_a_plain_http_report_to_the_tls_port_is_not_taken(tmp_path, certificate):
    proc, port = _start(tmp_path, tls=certificate)
    try:
        with pytest.raises((OSError, http.client.HTTPException)):  # the handshake fails: the connection is closed
            _report(port, "Zoé Martin")
    finally:
        proc.kill()
        proc.wait()
