"""The classroom service (provision/files/classroom.py) on 127.0.0.1, with this machine's real Prometheus scraping it
every second: a report is taken only with a student's credential and only as that student's, bounded in size and
rate; what students report reaches the grid through Prometheus; the roster and the join settings refuse what they
cannot carry, in one sentence; what `make exercise` records is what the service takes."""

import asyncio
import contextlib
import importlib.util
import json
import shutil
import socket
import sys
import threading
import time

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from labclient import classroom_student as client
from labclient import progress
from provision import remote_write, roster, waiting
from provision.paths import REPO

FILES = REPO / "provision" / "files"
sys.path.insert(0, str(FILES))  # the service imports served from beside it, as in the guest
SPEC = importlib.util.spec_from_file_location("classroom_service", FILES / "classroom.py")
service = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(service)

SECRET = "s" * 43
NAMES = ["Zoé Martin", "seat 12", "O’Brien", "Ana-Lucía"]
EXERCISES = list(range(1, 14))
needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None,
                                      reason="no prometheus on this machine (Debian: apt-get install prometheus)")


def _wait(fetch, ok, timeout, what):
    return waiting.until(fetch, ok, timeout, what, interval=0.2)


@contextlib.contextmanager
def running(prometheus_url="http://127.0.0.1:9"):
    """The service on two free ports of 127.0.0.1, its event loop in a thread of this process: (reports URL, page URL,
    Classroom)."""
    room = service.Classroom(NAMES, roster.hashes(SECRET, NAMES), EXERCISES)
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    async def start():
        return service.serve(room, ("127.0.0.1", 0), ("127.0.0.1", 0), prometheus_url, 120)

    reports, page = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield f"http://127.0.0.1:{reports.port}", f"http://127.0.0.1:{page.port}", room
    finally:
        for server in (reports, page):
            loop.call_soon_threadsafe(server.stop)
        loop.call_soon_threadsafe(loop.stop)


@pytest.fixture
def room():
    with running() as found:
        yield found


def post(url, name=None, body=None, credential=None, data=None):
    headers = {"Authorization": f"Bearer {credential or roster.credential(SECRET, name)}"} if name or credential else {}
    return requests.post(f"{url}/report", json=body if data is None else None, data=data, headers=headers, timeout=5)


DONE = {"exercises": {"1": {"passed": True, "attempts": 2, "hint": 0, "last_check": 1764650000.5}},
        "health": {"targets_up": 12, "targets_expected": 12, "machines_running": 6, "machines_expected": 6}}


def test_a_report_with_a_students_credential_is_taken_as_that_student(room):
    reports, page, _ = room
    reply = post(reports, "Zoé Martin", DONE)
    assert (reply.status_code, reply.json()) == (200, {"student": "Zoé Martin"})
    assert 'promlab_classroom_exercise_passed{student="Zoé Martin",exercise="1"} 1' in requests.get(f"{page}/metrics").text


@pytest.mark.parametrize("authorization", [None, "Bearer " + "x" * 32, "Basic " + roster.credential(SECRET, "seat 12"),
                                          "Bearer " + roster.credential("another secret", "seat 12")])
def test_a_report_without_a_known_credential_is_refused(room, authorization):
    reports, page, _ = room
    headers = {"Authorization": authorization} if authorization else {}
    reply = requests.post(f"{reports}/report", json=DONE, headers=headers, timeout=5)
    assert reply.status_code == 401
    assert "promlab_classroom_exercise_passed{" not in requests.get(f"{page}/metrics").text


def test_a_report_naming_another_student_is_refused_and_changes_nothing(room):
    reports, page, _ = room
    assert post(reports, "seat 12", DONE).status_code == 200
    before = requests.get(f"{page}/metrics").text
    forged = dict(DONE, student="seat 12", exercises={"1": {"passed": False, "attempts": 9}})
    reply = post(reports, "O’Brien", forged)
    assert reply.status_code == 403, reply.text
    after = requests.get(f"{page}/metrics").text
    assert [line for line in after.splitlines() if "seat 12" in line] == [line for line in before.splitlines() if "seat 12" in line]
    assert 'student="O’Brien"' not in after.replace("promlab_classroom_student{student=\"O’Brien\"} 1", "")
    assert 'promlab_classroom_reports_total{result="forged"} 1' in after


def test_reports_beyond_a_students_share_are_refused(room):
    reports, _, _ = room
    codes = [post(reports, "Ana-Lucía", DONE).status_code for _ in range(service.BURST + 3)]
    assert codes[:service.BURST] == [200] * service.BURST and 429 in codes[service.BURST:], codes
    assert post(reports, "seat 12", DONE).status_code == 200, "another student paid for one student's reports"


def test_a_report_over_the_size_limit_is_refused(room):
    reports, _, _ = room
    reply = post(reports, "seat 12", data=b"{" + b" " * service.MAX_BODY + b"}")
    assert reply.status_code == 413


@pytest.mark.parametrize("body", [
    {"exercises": {"14": {"passed": True}}}, {"exercises": {"1": {"passed": "yes"}}},
    {"exercises": {"1": {"attempts": -1}}}, {"exercises": {"1": {"attempts": True}}},
    {"health": {"targets_up": 1.5}}, {"health": {"disk": 3}}, {"name": "x"}, [], "report",
    {"exercises": {"1": {"last_check": 4e12}}},
])
def test_a_report_that_is_not_one_is_refused_and_says_why(room, body):
    reports, _, _ = room
    reply = post(reports, "seat 12", body)
    assert reply.status_code == 400 and reply.json()["error"], reply.text


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                    max_leaves=20)
REPORTISH = st.fixed_dictionaries({}, optional={
    "exercises": st.dictionaries(st.sampled_from([str(n) for n in range(0, 16)]) | st.text(max_size=3),
                                 st.dictionaries(st.sampled_from(["passed", "attempts", "hint", "last_check", "x"]), JSON,
                                                 max_size=4), max_size=4),
    "health": st.dictionaries(st.sampled_from(list(service.HEALTH) + ["x"]), JSON, max_size=5),
    "student": st.sampled_from(NAMES) | st.text(max_size=10)})


@settings(max_examples=300, deadline=None)
@given(body=REPORTISH | JSON)
def test_any_json_body_is_taken_or_refused_for_a_reason_never_an_error(body):
    try:
        stored = service.checked(body, "seat 12", EXERCISES, now=1764650000)
    except service.Refused as refused:
        assert refused.status in (400, 403) and str(refused)
        return
    room = service.Classroom(NAMES, {}, EXERCISES)
    room.store("seat 12", stored)
    for line in room.metrics().splitlines():
        assert line.startswith("#") or line.startswith("promlab_classroom_"), line


STUDENT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\n"), min_size=1, max_size=45)


@settings(max_examples=400, deadline=None)
@given(name=STUDENT)
def test_a_roster_line_is_a_student_or_one_sentence_naming_it(name):
    try:
        names = roster.read(f"# the class\n{name}\n", where="roster.txt")
    except roster.RosterError as e:
        assert str(e).startswith("roster.txt") and "allowed:" in str(e) and "\n" not in str(e)
        return
    (found,) = names
    assert 1 <= len(found) <= 40 and found == found.strip()
    assert all(ch.isalnum() or ch in " .'’-" for ch in found), found
    line = f'promlab_classroom_student{{student="{service.label(found)}"}} 1'
    assert line.count("\n") == 0 and '"' not in service.label(found).replace('\\"', "")


@pytest.mark.parametrize(("text", "says"), [
    ("Zoé\nzoé\n", "already line 1"), ("", "no student"), ("# only a comment\n", "no student"),
    ('Bobby"; drop\n', "line 1"), ("a\u202eb\n", "line 1"), ("x" * 41 + "\n", "line 1"),
    ("\n".join(f"seat {n}" for n in range(roster.MOST + 1)), f"{roster.MOST} at most"),
])
def test_a_roster_that_is_not_one_is_refused_in_one_sentence(text, says):
    with pytest.raises(roster.RosterError, match=says):
        roster.read(text)


def test_each_student_has_a_credential_of_their_own_that_the_secret_decides():
    credentials = {roster.credential(SECRET, n) for n in NAMES}
    assert len(credentials) == len(NAMES) and all(client.CREDENTIAL.fullmatch(c) for c in credentials)
    assert roster.credential(SECRET, "seat 12") == roster.credential(SECRET, "seat 12")
    assert roster.credential(SECRET + "x", "seat 12") != roster.credential(SECRET, "seat 12")


@settings(max_examples=300, deadline=None)
@given(url=st.text(max_size=40) | st.from_regex(r"https?://[a-z0-9.]{1,20}:[0-9]{1,5}/?", fullmatch=True),
       credential=st.text(max_size=40) | st.from_regex(r"[A-Za-z0-9_-]{32}", fullmatch=True))
def test_join_settings_are_taken_or_refused_in_one_sentence(url, credential):
    try:
        found_url, found_credential, _ = client.settings({"CLASSROOM": url}, ask=lambda: credential)
    except client.JoinError as e:
        assert "\n" not in str(e) and "allowed:" in str(e)
        return
    assert found_url.startswith(("http://", "https://")) and len(found_credential) == 32


def test_what_make_exercise_records_is_what_the_classroom_takes(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMLAB_PROGRESS", str(tmp_path))
    progress.record_check(3, passed=False, now=1764650000)
    progress.record_check(3, passed=True, now=1764650100)
    progress.save_hints({"3": 2, "5": 1})
    body = {"exercises": progress.report()}
    assert body["exercises"]["3"] == {"passed": True, "attempts": 2, "hint": 2, "last_check": 1764650100.0}
    assert body["exercises"]["5"] == {"passed": False, "attempts": 0, "hint": 1, "last_check": 0.0}
    stored = service.checked(body, "seat 12", EXERCISES, now=1764650200)
    assert stored["exercises"]["3"]["attempts"] == 2
    progress.forget(3)
    assert "3" not in progress.report()


def test_a_report_to_a_classroom_that_does_not_answer_is_dropped_not_raised():
    with socket.socket() as hole:  # accepts connections, never answers
        hole.bind(("127.0.0.1", 0))
        hole.listen(8)
        status, reply, said = client.send(f"http://127.0.0.1:{hole.getsockname()[1]}", "c" * 32, {"exercises": {}})
    words = {"no answer in time", "nothing answers there", "pas de réponse à temps", "rien n'y répond"}
    assert status is None and reply is None and said in words, said  # words, never an exception's name


@pytest.fixture
def scraped(tmp_path):
    """The service, and this machine's Prometheus scraping its page port every second: (reports, page). Prometheus
    comes first (remote_write.started: a port of its own, checked to be its own), the service's page joins its
    targets once it listens."""
    targets = tmp_path / "targets.json"
    targets.write_text("[]")
    config = json.dumps({"global": {"scrape_interval": "1s"}, "scrape_configs": [
        {"job_name": "classroom", "file_sd_configs": [{"files": [str(targets)], "refresh_interval": "1s"}]}]})
    with remote_write.started("prometheus", tmp_path / "tsdb", config=config) as url, running(url) as (reports, page, room):
        staged = tmp_path / "targets.json.new"
        staged.write_text(json.dumps([{"targets": [page.removeprefix("http://")]}]))
        staged.replace(targets)  # whole, never half written
        _wait(lambda: requests.get(f"{page}/api/grid", timeout=2).status_code, lambda s: s == 200, 30,
              "the grid read from Prometheus")
        yield reports, page


def _student(grid, name):
    return next(s for s in grid["students"] if s["student"] == name)


@needs_prometheus
def test_the_grid_shows_each_student_as_reported_through_prometheus(scraped):
    reports, page = scraped
    trying = {"exercises": {"2": {"passed": False, "attempts": 3, "hint": 2, "last_check": time.time()}},
              "health": {"targets_up": 10, "targets_expected": 12, "machines_running": 5, "machines_expected": 6}}
    assert post(reports, "Zoé Martin", DONE).status_code == 200
    assert post(reports, "seat 12", trying).status_code == 200

    def shown(grid):
        zoe, seat = _student(grid, "Zoé Martin"), _student(grid, "seat 12")
        return (zoe["exercises"].get("1", {}).get("state") == "done" and seat["exercises"].get("2", {}).get("state") == "trying"
                and seat["health"].get("targets_up") == 10)

    grid = _wait(lambda: requests.get(f"{page}/api/grid", timeout=5).json(), shown, 30, "both students on the grid")
    seat = _student(grid, "seat 12")
    assert seat["exercises"]["2"] == {"state": "trying", "attempts": 3, "hint": 2, "passed": 0}
    assert not seat["stale"] and _student(grid, "O’Brien")["stale"], "a student who never reported is not shown late"
    assert [s["student"] for s in grid["students"]] == NAMES


@needs_prometheus
def test_the_page_says_so_when_prometheus_does_not_answer(room):
    _, page, _ = room
    reply = requests.get(f"{page}/api/grid", timeout=10)
    assert reply.status_code == 503 and "does not answer" in reply.json()["error"]


@pytest.mark.parametrize(("port", "path"), [("reports", "/metrics"), ("reports", "/api/grid"), ("reports", "/"),
                                            ("page", "/report")])
def test_each_port_serves_only_its_own(room, port, path):
    reports, page, _ = room
    url = {"reports": reports, "page": page}[port]
    reply = requests.post(f"{url}{path}", json={}, timeout=5) if path == "/report" else requests.get(f"{url}{path}", timeout=5)
    assert reply.status_code == 404
