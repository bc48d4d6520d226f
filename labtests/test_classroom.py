"""The classroom view, live: the classroom machine (`make classroom`: its service, its Prometheus, in a Vagrant
environment of its own), simulated students reporting with their own credentials from 127.0.0.1, and this machine's
lab joined to it (`make join`). Each student shows on the grid as reported, in the API and on the teacher's page in a
real browser; a forged report is refused; the lab's reporter sends its health and progress and stops on `make leave`;
`make exercise` never waits for the classroom.

Runs when the classroom is up (CLASSROOM_FILE names its inventory when not examples/classroom.yaml); skips, saying so,
otherwise. Simulated students are the roster's, their reports bounded in count.
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from host import classroom_machine as teacher
from labclient import browser, http, ssh
from labtests.lab import LAB
from provision import credentials, roster
from provision.paths import REPO
from provision.roles import classroom as role
from provision.waiting import until


def _classroom():
    try:
        lab = teacher.load()
        http.get(f"{teacher.page(lab)}/-/healthy", timeout=3).raise_for_status()
        return lab, None
    except Exception as e:  # noqa: BLE001 - any reason it cannot be reached is the skip's reason
        return None, f"the classroom is not up ({e}): `make classroom` brings it up"


CLASSROOM, WHY = _classroom()
pytestmark = [pytest.mark.classroom, pytest.mark.skipif(CLASSROOM is None, reason=str(WHY))]


@pytest.fixture(scope="module")
def room():
    """(reports URL, page URL, the roster's names, {name: credential})."""
    component = CLASSROOM.components["classroom"]
    reports = teacher.node(CLASSROOM).host_url(component["reports_port"])
    names = role.students(CLASSROOM)
    secret = credentials.shared(role.SECRET)
    return reports, teacher.page(CLASSROOM), names, {n: roster.credential(secret, n) for n in names}


def _post(reports, credential, body):
    return http.post(f"{reports}/report", json=body, headers={"Authorization": f"Bearer {credential}"}, timeout=5)


def _grid(page):
    return http.get(f"{page}/api/grid", timeout=5).json()


def _row(grid, name):
    return next(s for s in grid["students"] if s["student"] == name)


def _state(n, passed, attempts, hint):
    return {str(n): {"passed": passed, "attempts": attempts, "hint": hint, "last_check": time.time()}}


HEALTHY = {"targets_up": 12, "targets_expected": 12, "machines_running": 6, "machines_expected": 6}


def test_each_simulated_student_shows_on_the_grid_as_reported(room):
    reports, page, names, creds = room
    assert len(names) >= 4, "the test roster holds at least four students"
    sent = {names[0]: {**_state(1, True, 1, 0), **_state(2, True, 4, 1)},
            names[1]: _state(3, False, 3, 2),
            names[2]: {}}
    for name, exercises in sent.items():
        reply = _post(reports, creds[name], {"exercises": exercises, "health": HEALTHY})
        assert reply.status_code == 200, reply.text

    def as_sent(grid):
        first, second = _row(grid, names[0]), _row(grid, names[1])
        return (first["exercises"].get("2", {}).get("state") == "done"
                and second["exercises"].get("3", {}).get("state") == "trying" and _row(grid, names[2])["last_report"] is not None)

    grid = until(lambda: _grid(page), as_sent, 60, "the simulated students on the grid")
    assert _row(grid, names[1])["exercises"]["3"] == {"state": "trying", "attempts": 3, "hint": 2, "passed": 0}
    assert _row(grid, names[0])["health"] == HEALTHY and not _row(grid, names[0])["stale"]


def test_a_student_who_never_reported_shows_as_late(room):
    _, page, names, _ = room
    assert _row(_grid(page), names[-1])["stale"], f"{names[-1]} never reported and is not shown late"


def test_a_report_naming_another_student_is_refused_and_the_grid_keeps_theirs(room):
    reports, page, names, creds = room
    assert _post(reports, creds[names[0]], {"exercises": _state(5, True, 1, 0)}).status_code == 200
    until(lambda: _grid(page), lambda g: _row(g, names[0])["exercises"].get("5", {}).get("state") == "done", 60,
             f"{names[0]}'s exercise 5 on the grid")
    forged = _post(reports, creds[names[1]], {"student": names[0], "exercises": _state(5, False, 9, 3)})
    assert forged.status_code == 403, forged.text
    time.sleep(2 * CLASSROOM.interval)  # two scrapes: a forged report taken would show by now
    assert _row(_grid(page), names[0])["exercises"]["5"]["state"] == "done"


def test_a_report_without_a_credential_is_refused(room):
    reports, *_ = room
    assert http.post(f"{reports}/report", json={"exercises": {}}, timeout=5).status_code == 401


def test_the_classroom_prometheus_stores_progress_under_the_credentials_student(room):
    _, _, names, _ = room
    url = teacher.node(CLASSROOM).host_url(CLASSROOM.components["prometheus"]["port"])
    found = until(lambda: http.get(f"{url}/api/v1/query", params={"query": "promlab_classroom_exercise_passed"},
                                          timeout=5).json()["data"]["result"],
                     lambda r: any(s["metric"].get("student") == names[0] for s in r), 60, "progress in Prometheus")
    assert {s["metric"]["student"] for s in found} <= set(names)


@pytest.fixture
def joined(room, tmp_path):
    """This machine's lab joined as the roster's last-but-one student, in folders of the test's own (a join of the
    checkout's own, and the student's progress, stay as they are); left afterwards."""
    _, _, names, creds = room
    name = names[-2]
    (tmp_path / "credential").write_text(creds[name] + "\n")
    env = dict(os.environ, CLASSROOM=room[0], CREDENTIAL_FILE=str(tmp_path / "credential"),
               PROMLAB_CLASSROOM_DIR=str(tmp_path / "classroom"), PROMLAB_PROGRESS=str(tmp_path / "progress"))
    env.pop("CREDENTIAL", None)
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / "progress.json").write_text(json.dumps({"4": {"attempts": 2, "passed": True,
                                                                          "last_check": time.time()}}))
    done = subprocess.run([sys.executable, "-m", "labclient.classroom_student", "join"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    pid = int((tmp_path / "classroom" / "reporter.pid").read_text())
    yield name, env, pid
    subprocess.run([sys.executable, "-m", "labclient.classroom_student", "leave"], cwd=REPO, env=env, capture_output=True, timeout=60)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    state = open(f"/proc/{pid}/stat").read().split()[2] if os.path.exists(f"/proc/{pid}/stat") else "?"
    return state != "Z"


def test_this_labs_reporter_sends_its_health_and_progress(room, joined):
    _, page, _, _ = room
    name, _, _ = joined
    expected = len(LAB.targets()) + len(LAB.probes())
    row = until(lambda: _row(_grid(page), name),
                   lambda r: r["health"].get("targets_expected") == expected and r["exercises"].get("4", {}).get("state") == "done",
                   60, f"{name}'s lab health and exercise 4 on the grid")
    assert row["health"]["machines_expected"] == len(LAB.nodes)
    assert row["health"]["targets_up"] <= expected


def test_make_leave_stops_the_reporter(joined):
    _, env, pid = joined
    assert _alive(pid)
    subprocess.run([sys.executable, "-m", "labclient.classroom_student", "leave"], cwd=REPO, env=env, capture_output=True, timeout=60)
    until(lambda: _alive(pid), lambda alive: not alive, 15, f"the reporter {pid} gone after make leave")


def test_make_exercise_never_contacts_the_classroom(tmp_path):
    """Joined to a classroom that takes connections and never answers: `make exercise` opens none to it (the reporter,
    not running here, is what reports)."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    hole.settimeout(0.2)
    seen, stop = [], threading.Event()

    def count():
        while not stop.is_set():
            try:
                seen.append(hole.accept()[0])
            except OSError:
                pass

    threading.Thread(target=count, daemon=True).start()
    folder = tmp_path / "classroom"
    folder.mkdir()
    (folder / "join.json").write_text(json.dumps({"classroom": f"http://127.0.0.1:{hole.getsockname()[1]}", "credential": "c" * 32}))
    env = dict(os.environ, PROMLAB_CLASSROOM_DIR=str(folder), PROMLAB_PROGRESS=str(tmp_path / "progress"))
    try:
        done = subprocess.run([sys.executable, "-m", "exercises", "1", "--lang", "en"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
    finally:
        stop.set()
        hole.close()
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert not seen, f"make exercise opened {len(seen)} connection(s) to the classroom"
    assert json.loads((tmp_path / "progress" / "progress.json").read_text())["1"]["attempts"] == 1


@pytest.mark.browser
@pytest.mark.skipif(bool(browser.missing()), reason=f"no browser here: {browser.missing()}")
@pytest.mark.parametrize(("lang", "trying", "head"), [("en", "trying ×2, hint 1", "last report"),
                                                      ("fr", "en cours ×2, indice 1", "dernier rapport")])
def test_the_teachers_page_draws_the_grid_in_a_real_browser(room, lang, trying, head):
    reports, page, names, creds = room
    assert _post(reports, creds[names[1]], {"exercises": _state(6, False, 2, 1), "health": HEALTHY}).status_code == 200
    with browser.opened() as chromium:
        chromium.get(f"{page}/?lang={lang}")
        rows = browser.text_when(chromium, f'tr[data-student="{names[1]}"]', lambda r: r and trying in r[0], 60,
                                 f"{names[1]}'s row showing exercise 6 as {trying!r}")
        assert head in chromium.find_element("css selector", "#grid thead").text
        assert names[1] in rows[0]
        late = browser.text_when(chromium, "td.student.stale", bool, 10, "the late students in red")
        assert names[-1] in late, f"{names[-1]} never reported and is not red: {late}"


def _on_classroom(command):
    done = ssh.run(teacher.node(CLASSROOM).name, command, timeout=120, env=teacher.environment())
    return done.stdout + done.stderr


def test_the_service_runs_as_its_own_user_under_a_hardened_unit():
    out = _on_classroom("systemd-analyze security --no-pager classroom.service; ps -o user= -C python3")
    level = re.search(r"Overall exposure level for \S+: ([\d.]+)", out)
    assert level and float(level.group(1)) <= 2.0, out[-500:]
    assert out.split()[-1] == "classroom", f"the service runs as {out.split()[-1]}"


def test_the_credentials_hashes_are_readable_by_root_and_the_service_only():
    out = _on_classroom(f"stat -c '%U:%G %a' {role.STUDENTS}")
    assert out.strip().splitlines()[-1] == "root:classroom 640", out


def _board_queries():
    board = json.loads((REPO / "templates" / "dashboards" / "classroom.json").read_text())
    return [pytest.param(t["expr"], id=f"{p['title']}-{t['refId']}".replace(" ", "_")) for p in board["panels"]
            for t in p["targets"]]


@pytest.fixture(scope="module")
def reported(room):
    """One report with every kind of value (sent once: a student's share of reports is bounded)."""
    reports, _, names, creds = room
    assert _post(reports, creds[names[2]], {"exercises": _state(7, False, 1, 1), "health": HEALTHY}).status_code == 200


@pytest.mark.parametrize("expr", _board_queries())
def test_each_classroom_dashboard_query_gives_data_on_the_classrooms_prometheus(reported, expr):
    """Grafana's Classroom dashboard, where Grafana runs, reads what the page reads: each panel's query answers."""
    url = teacher.node(CLASSROOM).host_url(CLASSROOM.components["prometheus"]["port"])
    query = expr.replace("$__rate_interval", f"{4 * CLASSROOM.interval:g}s")
    until(lambda: http.get(f"{url}/api/v1/query", params={"query": query}, timeout=5).json()["data"]["result"],
             bool, 60, f"{query} on the classroom's Prometheus")
