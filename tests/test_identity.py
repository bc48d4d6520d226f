"""A client never takes another checkout's lab for its own: the Prometheus on the forwarded port says which lab it is
(its page title, promlab-<id> from .promlab/secrets/lab-id), and `make status` and every check say so in one sentence
when it is not this checkout's (labclient/identity.py)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from labclient import identity
from labclient.prom import Prometheus
from provision import credentials, inventory
from provision.paths import REPO
from provision.roles import prometheus as role


@pytest.fixture
def answering():
    """A Prometheus stand-in on 127.0.0.1 whose flags carry the page title set in `answering.title`."""

    class Flags(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = json.dumps({"status": "success", "data": {"web.page-title": server.title}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flags)
    server.title = ""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def this_lab(tmp_path, monkeypatch):
    path = tmp_path / "lab-id"
    path.write_text("1a2b3c4d\n")
    monkeypatch.setattr(credentials, "IDENTITY", path)
    return path


def _client(server):
    return Prometheus(url=f"http://127.0.0.1:{server.server_address[1]}")


def test_this_checkouts_lab_is_taken_as_its_own(answering, this_lab):
    answering.title = "Prometheus (promlab 1a2b3c4d)"
    assert identity.foreign(_client(answering)) is None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_another_checkouts_lab_is_named_in_one_sentence(answering, this_lab, lang):
    answering.title = "Prometheus (promlab 99999999)"
    said = identity.foreign(_client(answering))[lang]
    assert "promlab 99999999" in said and "make down" in said and len(said.splitlines()) == 1


@pytest.mark.parametrize("title", ["Prometheus Time Series Collection and Processing Server", ""])
def test_a_prometheus_that_is_not_a_promlab_lab_is_not_taken_for_one(answering, this_lab, title):
    answering.title = title
    assert "not a promlab lab" in identity.foreign(_client(answering))["en"]


def test_a_checkout_that_made_no_lab_takes_no_lab_for_its_own(answering, tmp_path, monkeypatch):
    monkeypatch.setattr(credentials, "IDENTITY", tmp_path / "never-made")
    answering.title = "Prometheus (promlab 1a2b3c4d)"
    assert identity.foreign(_client(answering)) is not None
    assert not (tmp_path / "never-made").exists(), "asking must not make an identity"


def test_a_prometheus_that_does_not_answer_is_left_to_the_caller(this_lab):
    assert identity.foreign(Prometheus(url="http://127.0.0.1:9")) is None


def test_the_provisioning_names_the_lab_in_prometheus_page_title():
    lab = inventory.load(REPO / "lab.yaml", env={})
    unit = next(f for f in role.files(lab, lab.prometheus_node) if f.path.endswith("prometheus.service")).text()
    assert f'"--web.page-title={identity.TITLE.format(credentials.lab_id())}"' in unit


@pytest.mark.parametrize("found", ["1a2b3c4d) --config.file=/tmp/x", "", "1A2B3C4D", "1a2b3c4d5"])
def test_a_lab_identity_that_is_not_eight_hex_digits_is_refused_in_one_sentence(tmp_path, monkeypatch, found):
    from provision.steps import StepError

    path = tmp_path / "lab-id"
    path.write_text(found + "\n")
    monkeypatch.setattr(credentials, "IDENTITY", path)
    with pytest.raises(StepError, match="8 hex digits") as refused:
        credentials.lab_id()
    assert "\n" not in str(refused.value)
