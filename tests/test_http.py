"""One HTTP vocabulary for the running lab (labclient/http.py): a service that does not answer is Unreachable, named by
its base URL and said in words, whoever asked; a caller catching requests' own errors catches it too."""

import socket

import pytest
import requests

from labclient import http
from labclient.prom import Prometheus, Unreachable


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free once closed: nothing listens there


@pytest.fixture
def silent():
    """A port that accepts a connection and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_refused_connection_is_unreachable_named_by_the_service_and_said_in_words():
    base = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(http.Unreachable) as refused:
        http.get(f"{base}/api/v1/targets", at=base)
    assert str(refused.value) == f"{base} (nothing answers there)"
    assert refused.value.why["fr"] == "rien n'y répond"


def test_a_silent_service_is_unreachable_for_want_of_an_answer_in_time(silent):
    with pytest.raises(http.Unreachable, match=r"\(no answer in time\)$"):
        http.get(f"{silent}/-/ready", timeout=0.3)


def test_a_caller_catching_requests_errors_catches_it():
    with pytest.raises(requests.RequestException):
        http.get(f"http://127.0.0.1:{_closed_port()}/")


def test_its_words_are_its_own_when_asked_again():
    with pytest.raises(http.Unreachable) as refused:
        http.get(f"http://127.0.0.1:{_closed_port()}/")
    assert http.why(refused.value) == {"en": "nothing answers there", "fr": "rien n'y répond"}


def test_prometheus_answering_what_is_not_json_is_said_unreadable(server):
    httpd, files, _ = server
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    files["/api/v1/targets?state=active"] = b"<html>a proxy's error page</html>"
    with pytest.raises(Unreachable, match=r"\(its answer cannot be read\)$"):
        Prometheus(url=base).active_targets()
