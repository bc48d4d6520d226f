"""Measure the classroom service holding a class under attack, on this machine (no lab needed): the service as in the
guest (its own process, bound to 0.0.0.0), a real Prometheus scraping its page every second, thirty simulated students
reporting every 2 s from one address (a class behind NAT), while each attack of tests/attacks.py runs from that address
and others. Per scenario: reports answered and refused, answer times, the time from a report to the grid, the service's
peak memory.

    python3 -m scripts.classroom_under_attack [--seconds N]     (a Markdown table for docs/performance.md)

Not a test: it asserts nothing, it reports.
"""

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from provision import roster, waiting
from provision.paths import REPO
from tests import attacks

PROGRAM = REPO / "provision" / "files" / "classroom.py"
STUDENTS = [f"seat {n}" for n in range(1, 31)]
SECRET = "b" * 43
NAT = "127.0.0.5"
EVERY = 2.0  # seconds between two reports of a student


def _port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(call, within, what):
    try:
        waiting.until(call, bool, within, what, interval=0.2)
    except waiting.TimedOut as e:
        raise SystemExit(f"classroom_under_attack: {e}") from None


class Room:
    """The service and a Prometheus scraping it, in a folder of their own, for one scenario."""

    def __init__(self, folder):
        (folder / "students.json").write_text(json.dumps({"students": STUDENTS, "credentials": roster.hashes(SECRET, STUDENTS),
                                                          "exercises": list(range(1, 14))}))
        self.reports, self.page, prometheus = _port(), _port(), _port()
        (folder / "prometheus.yml").write_text(json.dumps({
            "global": {"scrape_interval": "1s"},
            "scrape_configs": [{"job_name": "classroom", "static_configs": [{"targets": [f"127.0.0.1:{self.page}"]}]}]}))
        self.prometheus = subprocess.Popen(["prometheus", f"--config.file={folder / 'prometheus.yml'}",
                                            f"--storage.tsdb.path={folder / 'tsdb'}",
                                            f"--web.listen-address=127.0.0.1:{prometheus}"],
                                           stdout=subprocess.DEVNULL, stderr=open(folder / "prometheus.log", "w"))
        self.service = subprocess.Popen([sys.executable, str(PROGRAM), "--reports", f"0.0.0.0:{self.reports}",
                                         "--page", f"0.0.0.0:{self.page}", "--students", str(folder / "students.json"),
                                         "--prometheus", f"http://127.0.0.1:{prometheus}"],
                                        stdout=subprocess.DEVNULL, stderr=open(folder / "service.log", "w"))
        try:
            _wait(lambda: self.grid() is not None, 60, "the grid read from Prometheus")
        except SystemExit:
            logs = {name: (folder / f"{name}.log").read_text()[-300:] for name in ("service", "prometheus")}
            self.close()
            raise SystemExit(f"classroom_under_attack: the grid not read from Prometheus within 60 s; logs: {logs}") from None

    def grid(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.page, timeout=3)
        connection.request("GET", "/api/grid")
        reply = connection.getresponse()
        return json.loads(reply.read()) if reply.status == 200 else None

    def close(self):
        for proc in (self.service, self.prometheus):
            proc.terminate()
            proc.wait(10)


def _report(port, name, attempts):
    """(status or the failure, seconds) of one report from the students' address."""
    body = json.dumps({"exercises": {"1": {"passed": False, "attempts": attempts, "hint": 0, "last_check": time.time()}}})
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3, source_address=(NAT, 0))
    try:
        connection.request("POST", "/report", body, {"Authorization": f"Bearer {roster.credential(SECRET, name)}",
                                                     "Content-Type": "application/json"})
        return connection.getresponse().status, time.monotonic() - start
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__, time.monotonic() - start
    finally:
        connection.close()


def _student(room, name, until, results, sent_at):
    attempts = 0
    while time.monotonic() < until:
        attempts += 1
        status, took = _report(room.reports, name, attempts)
        results.append((status, took))
        if status == 200:
            sent_at[(name, attempts)] = time.monotonic()
        time.sleep(max(0.0, EVERY - took))


def _to_grid(room, until, sent_at, delays):
    """Polls the grid: when a student's attempts show a value first, the time since that report was answered."""
    seen = {}
    while time.monotonic() < until + 5:
        try:
            grid = room.grid() or {"students": []}
        except (OSError, ValueError, http.client.HTTPException):
            grid = {"students": []}
        now = time.monotonic()
        for row in grid["students"]:
            shown = row["exercises"].get("1", {}).get("attempts", 0)
            for k in range(seen.get(row["student"], 0) + 1, shown + 1):
                if (row["student"], k) in sent_at:
                    delays.append(now - sent_at[(row["student"], k)])
            seen[row["student"]] = max(seen.get(row["student"], 0), shown)
        time.sleep(0.25)


def _room(folder, tries=3):
    """A Room; made again on other ports when one was taken between choosing and binding it."""
    try:
        return Room(folder)
    except SystemExit:
        if tries == 1:
            raise
        return _room(folder, tries - 1)


def scenario(name, attack, seconds):
    with tempfile.TemporaryDirectory() as folder:
        room = _room(Path(folder))
        try:
            results, sent_at, delays = [], {}, []
            until = time.monotonic() + seconds
            context = attacks.attack(attack[0], room.reports, attack[1]) if attack else _nothing()
            with context:
                threads = [threading.Thread(target=_student, args=(room, s, until, results, sent_at)) for s in STUDENTS]
                threads.append(threading.Thread(target=_to_grid, args=(room, until, sent_at, delays)))
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            peak = attacks.peak_memory(room.service.pid)
        finally:
            room.close()
    answered = [took for status, took in results if status == 200]
    return {"scenario": name, "sent": len(results), "answered": len(answered),
            "refused": len(results) - len(answered), "median": statistics.median(answered) if answered else None,
            "p95": sorted(answered)[int(0.95 * (len(answered) - 1))] if answered else None,
            "grid": statistics.median(delays) if delays else None, "memory": peak}


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _seconds(value):
    return "–" if value is None else f"{value:.1f} s"


def table(rows):
    def ms(value):
        return "–" if value is None else f"{value * 1000:.0f} ms"

    out = ["| while | reports answered (of sent) | refused or failed | answer time, median / 95th | report to grid, median "
           "| service's peak memory |", "|---|---|---|---|---|---|"]
    out += [f"| {r['scenario']} | {r['answered']} ({r['sent']}) | {r['refused']} | {ms(r['median'])} / {ms(r['p95'])} | "
            f"{_seconds(r['grid'])} | {r['memory']:.0f} MiB |" for r in rows]
    return "\n".join(out)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long each scenario lasts")
    args = parser.parse_args(argv)
    if shutil.which("prometheus") is None:
        print("classroom_under_attack: no prometheus on this machine (Debian: apt-get install prometheus)", file=sys.stderr)
        return 2
    rows = [scenario("no attack", None, args.seconds)]
    for name, attack in attacks.catalogue(NAT).items():
        rows.append(scenario(name, attack, args.seconds))
        print(f"  {name}: done", file=sys.stderr, flush=True)
    print(f"Thirty students reporting every {EVERY:.0f} s from one address for {args.seconds:.0f} s; the grid read "
          "through a Prometheus scraping every second.\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
