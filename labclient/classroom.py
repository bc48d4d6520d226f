"""The student's side of the classroom view: `make join` makes this lab report to the teacher's classroom service,
`make leave` stops it.

    make join CLASSROOM=http://192.168.1.10:9300 CREDENTIAL=<the credential the teacher handed you>
    make leave

A reporter runs in the background on the student's computer and sends, outward only, every REPORT_EVERY seconds and
soon after each `make exercise` (it watches the progress files): per exercise, passed or not, the checks so far, the
highest hint asked, the time of the last check (labclient/progress.py), and the lab's health (targets up out of those
lab.yaml expects, machines answering out of its nodes). Nothing else leaves the computer; the lab's forwarded ports
stay on 127.0.0.1. `make exercise` never waits for the classroom: it writes its progress file and is done; the
reporter sends it when it can (a report that fails is dropped, the next carries the same and newer).

    python3 -m labclient.classroom join|leave|status|report-loop
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from labclient import progress
from provision.paths import REPO

FOLDER = Path(os.environ.get("PROMLAB_CLASSROOM_DIR") or REPO / ".promlab" / "classroom")  # tests: a folder of their own
JOINED = FOLDER / "join.json"
PID = FOLDER / "reporter.pid"
LOG = FOLDER / "reporter.log"
REPORT_EVERY = 10  # seconds between reports when nothing changes
WATCH_EVERY = 1  # seconds between looks at the progress files
TIMEOUT = 3  # seconds a report may take; then it is dropped
URL = re.compile(r"https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?/?")
CREDENTIAL = re.compile(r"[A-Za-z0-9_-]{32}")


class JoinError(ValueError):
    """One sentence: the setting, its value, what is allowed."""


def settings(env=None):
    """(classroom URL, credential) from CLASSROOM and CREDENTIAL; JoinError naming the one that is not right."""
    env = os.environ if env is None else env
    url, credential = env.get("CLASSROOM", "").strip(), env.get("CREDENTIAL", "").strip()
    if not URL.fullmatch(url):
        raise JoinError(f"CLASSROOM={url[:80]!r} is not the classroom's address; allowed: http://<address>:<port>, as "
                        "the teacher's join line gives it")
    if not CREDENTIAL.fullmatch(credential):
        raise JoinError("CREDENTIAL is not a classroom credential; allowed: the 32 letters, digits, '-' and '_' of the "
                        "teacher's join line")
    return url.rstrip("/"), credential


def health(the_lab, prometheus_url):
    """Targets up out of those lab.yaml expects; machines answering (a target of theirs up) out of its nodes."""
    expected = len(the_lab.targets()) + len(the_lab.probes())
    try:
        active = requests.get(f"{prometheus_url}/api/v1/targets", params={"state": "active"},
                              timeout=TIMEOUT).json()["data"]["activeTargets"]
    except (requests.RequestException, ValueError, KeyError):
        active = []
    up = [t for t in active if t.get("health") == "up"]
    answering = {t.get("labels", {}).get("node") for t in up}
    return {"targets_up": min(len(up), 100_000), "targets_expected": expected,
            "machines_running": len(answering & {n.name for n in the_lab.nodes}), "machines_expected": len(the_lab.nodes)}


def report(the_lab):
    return {"exercises": progress.report(), "health": health(the_lab, the_lab.prometheus.host_url)}


def send(url, credential, body):
    """(HTTP status or None, what the classroom said); never raises, never waits more than TIMEOUT."""
    try:
        reply = requests.post(f"{url}/report", json=body, headers={"Authorization": f"Bearer {credential}"},
                              timeout=TIMEOUT)
        return reply.status_code, reply.text[:200]
    except requests.RequestException as e:
        return None, type(e).__name__


def _stamp():
    files = [progress.folder() / "progress.json", progress.folder() / "hints.json"]
    return tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)


def report_loop():
    """Report until `make leave` (the join file gone): on each change of the progress files, and every REPORT_EVERY s."""
    from labclient.lab import lab

    the_lab, last_sent, last_stamp = lab(), 0.0, None
    while JOINED.exists():
        url, credential = json.loads(JOINED.read_text())["classroom"], json.loads(JOINED.read_text())["credential"]
        stamp = _stamp()
        if stamp != last_stamp or time.monotonic() - last_sent >= REPORT_EVERY:
            status, said = send(url, credential, report(the_lab))
            print(f"{time.strftime('%H:%M:%S')} report: {status or 'not sent'} {said}", flush=True)
            last_sent, last_stamp = time.monotonic(), stamp
        time.sleep(WATCH_EVERY)
    return 0


def _running():
    """The reporter's pid when it runs, else None (a pid file of a process that is not the reporter is stale)."""
    try:
        pid = int(PID.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    cmdline = f"/proc/{pid}/cmdline"
    if os.path.exists(cmdline) and b"labclient.classroom" not in open(cmdline, "rb").read():
        return None
    return pid


def _stop():
    pid = _running()
    if pid:
        os.kill(pid, signal.SIGTERM)
    PID.unlink(missing_ok=True)
    return pid


def join(env=None):
    url, credential = settings(env)
    FOLDER.mkdir(parents=True, exist_ok=True)
    FOLDER.chmod(0o700)
    JOINED.write_text(json.dumps({"classroom": url, "credential": credential}) + "\n")
    JOINED.chmod(0o600)
    from labclient.lab import lab

    status, said = send(url, credential, report(lab()))
    _stop()
    flags = {"start_new_session": True} if os.name == "posix" else {"creationflags": 0x00000008}  # DETACHED_PROCESS
    with open(LOG, "a") as log:
        proc = subprocess.Popen([sys.executable, "-m", "labclient.classroom", "report-loop"], cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **flags)
    PID.write_text(f"{proc.pid}\n")
    if status == 200:
        print(f"joined {url}: your lab reports to it as {json.loads(said)['student']} (make leave stops it)")
        return 0
    why = {401: "it does not know this credential: check the join line", None: f"it does not answer ({said})"}
    print(f"joined {url}, but the first report was not taken: {why.get(status, f'{status} {said}')}; the reporter "
          f"tries again every {REPORT_EVERY} s (its log: {LOG}; make leave stops it)")
    return 0 if status is None else 1


def leave():
    had = JOINED.exists()
    JOINED.unlink(missing_ok=True)
    stopped = _stop()
    print("left the classroom: nothing is reported any more" if had or stopped else "not in a classroom")
    return 0


def status():
    if not JOINED.exists():
        print("not in a classroom (make join CLASSROOM=... CREDENTIAL=...)")
        return 1
    url = json.loads(JOINED.read_text())["classroom"]
    print(f"reporting to {url}" + ("" if _running() else " - but the reporter is not running: make join again"))
    return 0


def main(argv):
    action = argv[0] if argv else "status"
    actions = {"join": join, "leave": leave, "status": status, "report-loop": report_loop}
    if action not in actions:
        print(f"labclient.classroom: {action!r} is not an action; allowed: {', '.join(actions)}", file=sys.stderr)
        return 2
    try:
        return actions[action]()
    except JoinError as e:
        print(f"make join: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
