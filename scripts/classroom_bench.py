"""The classroom under a class: STUDENTS simulated students, each reporting every EVERY seconds for MINUTES minutes
(from 127.0.0.1, with their own credentials), against the running classroom (`make classroom`). Measured: how long a
report takes to appear on the grid (sent → seen in /api/grid), the teacher's page load time in a real browser (the grid
of every student drawn), and the service's resident memory and CPU (its process, read on the classroom machine).

    python3 -m scripts.classroom_bench [--students 30] [--every 10] [--minutes 10]

Needs a roster of at least STUDENTS names (the benchmark's own: CLASSROOM_FILE naming an inventory whose roster holds
them). Prints one JSON line; docs/performance.md keeps the figures.
"""

import argparse
import json
import random
import statistics
import sys
import threading
import time

from host import classroom_machine as teacher
from labclient import browser, http, ssh
from provision import credentials, roster
from provision.roles import classroom as role


def _accounting(lab):
    """(resident memory bytes, CPU seconds) of the service's process, read on the classroom machine (/proc: a
    container's systemd may keep no CPU accounting)."""
    command = ("pid=$(systemctl show -p MainPID --value classroom); echo ticks $(getconf CLK_TCK); "
               "cut -d' ' -f14,15 /proc/$pid/stat; grep VmRSS /proc/$pid/status")
    out = ssh.run(teacher.node(lab).name, command, timeout=60, env=teacher.environment()).stdout.split()
    ticks = int(out[out.index("ticks") + 1])
    user, system = int(out[out.index("ticks") + 2]), int(out[out.index("ticks") + 3])
    rss_kib = int(out[out.index("VmRSS:") + 1])
    return rss_kib * 1024, (user + system) / ticks


def _page_load(page, count):
    with browser.opened() as chromium:
        started = time.monotonic()
        chromium.get(f"{page}/")
        browser.text_when(chromium, "tbody tr", lambda rows: len(rows) >= count, 60, f"{count} rows on the page")
        return time.monotonic() - started


def run(students, every, minutes):
    lab = teacher.load()
    names = role.students(lab)[:students]
    if len(names) < students:
        raise SystemExit(f"the roster holds {len(names)} students, the benchmark needs {students}")
    secret = credentials.shared(role.SECRET)
    reports = teacher.node(lab).host_url(lab.components["classroom"]["reports_port"])
    page = teacher.page(lab)
    memory_before, cpu_before = _accounting(lab)
    latencies, errors, stop = [], [], threading.Event()

    def student(index, name):
        credential, attempt = roster.credential(secret, name), 0
        time.sleep(index * every / students)  # spread over the interval, as a class would be
        while not stop.is_set():
            attempt += 1
            body = {"exercises": {"1": {"passed": attempt % 5 == 0, "attempts": attempt, "hint": attempt % 3,
                                        "last_check": time.time()}},
                    "health": {"targets_up": 12, "targets_expected": 12, "machines_running": 6, "machines_expected": 6}}
            sent = time.monotonic()
            try:
                status = http.post(f"{reports}/report", json=body, timeout=5,
                               headers={"Authorization": f"Bearer {credential}"}).status_code
            except http.Unreachable as e:
                status = type(e).__name__
            if status != 200:
                errors.append(status)
            elif index == 0:  # one student's reports timed all the way to the grid
                while time.monotonic() - sent < 60:
                    row = next(s for s in http.get(f"{page}/api/grid", timeout=5).json()["students"] if s["student"] == name)
                    if row["exercises"].get("1", {}).get("attempts") == attempt:
                        latencies.append(time.monotonic() - sent)
                        break
                    time.sleep(0.1)
            # the next report at a random moment around `every`: never in step with the scrapes (a student reporting
            # just after each scrape would always wait a whole interval, one just before hardly at all)
            stop.wait(max(0.0, every * random.uniform(0.5, 1.5) - (time.monotonic() - sent)))

    threads = [threading.Thread(target=student, args=(i, n), daemon=True) for i, n in enumerate(names)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(minutes * 60)
    load = _page_load(page, students)
    memory_peak, cpu_after = _accounting(lab)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    took = time.monotonic() - started
    return {"students": students, "every_s": every, "minutes": minutes, "reports_refused": len(errors),
            "report_to_grid_s": {"median": round(statistics.median(latencies), 2), "max": round(max(latencies), 2),
                                 "samples": len(latencies)} if latencies else None,
            "page_load_s": round(load, 2), "service_rss_mib": round(memory_peak / 2**20, 1),
            "service_rss_before_mib": round(memory_before / 2**20, 1),
            "service_cpu_percent": round(100 * (cpu_after - cpu_before) / took, 2),
            "scrape_interval": lab.scrape_interval}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--every", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.students, args.every, args.minutes)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
