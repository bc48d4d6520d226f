#!/usr/bin/env python3
"""promlab's classroom service: every student's lab reports its exercise progress and its health here; Prometheus
scrapes them as metrics with a `student` label, and the teacher's page draws the grid from Prometheus.

    classroom.py --reports ADDRESS:PORT --page ADDRESS:PORT --students FILE --prometheus URL [--stale SECONDS]
                 [--tls-certificate FILE --tls-key FILE]

The reports port (the one students reach; HTTPS with --tls-certificate and --tls-key, else plain HTTP):
POST /report     a student's report, JSON (at most MAX_BODY bytes), with `Authorization: Bearer <credential>`:
                 {"exercises": {"3": {"passed": false, "attempts": 2, "hint": 1, "last_check": 1764650000}, ...},
                  "health": {"targets_up": 11, "targets_expected": 12, "machines_running": 6, "machines_expected": 6}}
                 The credential says whose report it is: a report naming another student ("student") is refused
                 (403), one without a known credential too (401), a malformed one (400), one sent faster than a
                 student's share (429). A report replaces that student's previous one, nothing else.
GET /-/healthy   "ok".

The page port (the teacher's, forwarded to 127.0.0.1 on the teacher's computer; the classroom's Prometheus scrapes it):
GET /metrics     the last report of each student as metrics (promlab_classroom_*), and the service's own counters.
GET /api/grid    the grid, read from Prometheus (JSON): each student × each exercise, the lab's health, the last report.
GET /            the teacher's page: the grid, redrawn every 2 s.

FILE (JSON, written by the provisioning from the teacher's roster): {"students": [names], "credentials":
{sha256 of a credential: name}, "exercises": [numbers]}: the service never holds a credential itself.
Served like the alert receiver (served.py, beside it: Tornado, one event loop): each request's headers within seconds,
a body read only from a known credential within its share and size, connections bounded in all; never per address:
every report comes through a forwarded port, from one address for the whole class. It runs with the distribution's
python3 and python3-tornado.
"""

import argparse
import asyncio
import hashlib
import json
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import served  # beside this program (provision/files/)

MAX_BODY = 16 << 10
BURST, PER_SECOND = 5, 1.0  # a student's share of reports: 5 at once, then one a second
MOST = {"attempts": 1_000_000, "hint": 100, "targets_up": 100_000, "targets_expected": 100_000,
        "machines_running": 1_000, "machines_expected": 1_000}
HEALTH = ("targets_up", "targets_expected", "machines_running", "machines_expected")
RESULTS = ("accepted", "unauthorized", "forged", "malformed", "too_large", "too_fast")
REFUSED = {401: "unauthorized", 429: "too_fast", 400: "malformed", 413: "too_large"}  # before the body is read


class Refused(Exception):
    def __init__(self, status, result, reason):
        super().__init__(reason)
        self.status, self.result = status, result


def _count(value, where, most):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise Refused(400, "malformed", f"{where} is not a whole number from 0 to {most}")
    return value


def _only(mapping, keys, where):
    if not isinstance(mapping, dict):
        raise Refused(400, "malformed", f"{where} is not an object")
    unknown = sorted(set(mapping) - set(keys))
    if unknown:
        raise Refused(400, "malformed", f"{where} has unknown keys: {', '.join(map(str, unknown))[:200]}")
    return mapping


def checked(report, student, exercises, now):
    """The report as stored; Refused when it is not one, or names another student than its credential's."""
    _only(report, ("student", "exercises", "health"), "the report")
    if "student" in report and report["student"] != student:
        raise Refused(403, "forged", "a report is the credential's student's own: it names another student")
    found = {}
    for number, state in _only(report.get("exercises", {}), [str(n) for n in exercises], "exercises").items():
        where = f"exercises.{number}"
        _only(state, ("passed", "attempts", "hint", "last_check"), where)
        if not isinstance(state.get("passed", False), bool):
            raise Refused(400, "malformed", f"{where}.passed is not true or false")
        last = state.get("last_check", 0)
        if isinstance(last, bool) or not isinstance(last, (int, float)) or not 0 <= last <= now + 86400:
            raise Refused(400, "malformed", f"{where}.last_check is not a time (seconds since 1970)")
        found[number] = {"passed": state.get("passed", False), "last_check": float(last),
                         "attempts": _count(state.get("attempts", 0), f"{where}.attempts", MOST["attempts"]),
                         "hint": _count(state.get("hint", 0), f"{where}.hint", MOST["hint"])}
    health = _only(report.get("health", {}), HEALTH, "health")
    return {"received": now, "exercises": found,
            "health": {k: _count(health[k], f"health.{k}", MOST[k]) for k in HEALTH if k in health}}


def label(value):
    """A label value in Prometheus' text format."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Classroom:
    """The students, their last reports and the service's counters; every method is thread-safe."""

    def __init__(self, students, credentials, exercises):
        self.students, self.credentials, self.exercises = list(students), dict(credentials), list(exercises)
        self.reports, self.buckets = {}, {}
        self.counts = dict.fromkeys(RESULTS, 0)
        self.lock = threading.Lock()

    def student(self, authorization):
        if not authorization.startswith("Bearer "):
            return None
        return self.credentials.get(hashlib.sha256(authorization[7:].strip().encode()).hexdigest())

    def count(self, result):
        with self.lock:
            self.counts[result] += 1

    def take(self, student, now):
        """True when the student's share allows one more report now (a token bucket)."""
        with self.lock:
            tokens, then = self.buckets.get(student, (BURST, now))
            tokens = min(BURST, tokens + (now - then) * PER_SECOND)
            if tokens < 1:
                self.buckets[student] = (tokens, now)
                return False
            self.buckets[student] = (tokens - 1, now)
            return True

    def store(self, student, report):
        with self.lock:
            self.reports[student] = report
            self.counts["accepted"] += 1

    def metrics(self):
        with self.lock:
            reports, counts = dict(self.reports), dict(self.counts)
        out = ["# HELP promlab_classroom_student A student of the roster (1).", "# TYPE promlab_classroom_student gauge"]
        out += [f'promlab_classroom_student{{student="{label(s)}"}} 1' for s in self.students]
        series = {"last_report_timestamp_seconds": "When the student's last report arrived.",
                  **{f"{k}": f"The student's lab: {k.replace('_', ' ')}." for k in HEALTH},
                  "exercise_passed": "1 when the exercise's last check passed.",
                  "exercise_attempts": "Checks of the exercise so far.", "exercise_hint": "The highest hint asked.",
                  "exercise_last_check_timestamp_seconds": "When the exercise was last checked."}
        rows = {name: [] for name in series}
        for student, report in sorted(reports.items()):
            who = f'student="{label(student)}"'
            rows["last_report_timestamp_seconds"].append(f"{{{who}}} {report['received']:.3f}")
            for k, v in report["health"].items():
                rows[k].append(f"{{{who}}} {v}")
            for number, state in sorted(report["exercises"].items(), key=lambda item: int(item[0])):
                at = f'{{{who},exercise="{number}"}}'
                rows["exercise_passed"].append(f"{at} {int(state['passed'])}")
                rows["exercise_attempts"].append(f"{at} {state['attempts']}")
                rows["exercise_hint"].append(f"{at} {state['hint']}")
                rows["exercise_last_check_timestamp_seconds"].append(f"{at} {state['last_check']:.3f}")
        for name, help_ in series.items():
            out += [f"# HELP promlab_classroom_{name} {help_}", f"# TYPE promlab_classroom_{name} gauge"]
            out += [f"promlab_classroom_{name}{row}" for row in rows[name]]
        out += ["# HELP promlab_classroom_reports_total Reports received, by what became of them.",
                "# TYPE promlab_classroom_reports_total counter"]
        out += [f'promlab_classroom_reports_total{{result="{r}"}} {counts[r]}' for r in RESULTS]
        return "\n".join(out) + "\n"


QUERIES = {
    "last_report": "time() - promlab_classroom_last_report_timestamp_seconds",
    "passed": "promlab_classroom_exercise_passed", "attempts": "promlab_classroom_exercise_attempts",
    "hint": "promlab_classroom_exercise_hint", **{k: f"promlab_classroom_{k}" for k in HEALTH},
}


def _query(prometheus, expr):
    url = f"{prometheus}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.load(reply)["data"]["result"]


def grid(classroom, prometheus, stale):
    """The teacher's grid, from what Prometheus holds: per student, per exercise done | trying | none (with attempts
    and the highest hint), the lab's health, the age of the last report and whether it is older than `stale`."""
    found = {key: _query(prometheus, expr) for key, expr in QUERIES.items()}
    rows = {s: {"student": s, "exercises": {}, "health": {}, "last_report": None} for s in classroom.students}
    for sample in found["last_report"]:
        if sample["metric"].get("student") in rows:
            rows[sample["metric"]["student"]]["last_report"] = round(float(sample["value"][1]), 1)
    for key in HEALTH:
        for sample in found[key]:
            if sample["metric"].get("student") in rows:
                rows[sample["metric"]["student"]]["health"][key] = int(float(sample["value"][1]))
    for key in ("attempts", "hint", "passed"):
        for sample in found[key]:
            student, number = sample["metric"].get("student"), sample["metric"].get("exercise")
            if student in rows and number:
                rows[student]["exercises"].setdefault(number, {})[key] = int(float(sample["value"][1]))
    for row in rows.values():
        row["stale"] = row["last_report"] is None or row["last_report"] > stale
        for state in row["exercises"].values():
            state["state"] = "done" if state.get("passed") else "trying" if state.get("attempts") else "none"
    return {"exercises": [str(n) for n in classroom.exercises], "stale_after": stale, "students": list(rows.values())}


# The teacher's page, in the teacher's language: ?lang=fr or ?lang=en, else the browser's own (`make classroom` prints
# the address with LAB_LANG's). Its words are data for the script, never markup (a student's name is text too).
PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>promlab classroom</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:center;font-size:.9em}
td.student{text-align:left;font-weight:600}.done{background:#b7e4c7}.trying{background:#ffe8a3}
.none{color:#999}.stale{background:#f4c7c3}.ok{color:#1b7f3b}.bad{color:#b3261e;font-weight:600}
#state{margin:.5em 0;color:#555}
</style></head><body>
<h1 id="title"></h1>
<p id="state"></p>
<table id="grid"><thead></thead><tbody></tbody></table>
<p id="legend"></p>
<script>
const WORDS = {
  en: {title: "promlab classroom", loading: "loading…", unread: "the grid cannot be read: ",
       head: ["student", "lab", "last report"], ex: "ex ", targets: "targets", machines: "machines", never: "never",
       ago: s => s + " s ago", done: "done", trying: n => "trying ×" + n, hint: n => ", hint " + n,
       state: (n, t) => n + " students, updated " + t,
       legend: "done: the exercise's last check passed · trying: checked, not yet passed (attempts, hint asked) · " +
               "a red name: no report for a while"},
  fr: {title: "la classe promlab", loading: "chargement…", unread: "la grille ne peut pas être lue\u202f: ",
       head: ["étudiant", "lab", "dernier rapport"], ex: "ex ", targets: "cibles", machines: "machines", never: "jamais",
       ago: s => "il y a " + s + "\u00a0s", done: "fait", trying: n => "en cours ×" + n, hint: n => ", indice " + n,
       state: (n, t) => n + " étudiants, mis à jour à " + t,
       legend: "fait\u202f: la dernière vérification de l'exercice a réussi · en cours\u202f: vérifié, pas encore " +
               "réussi (essais, indice demandé) · un nom en rouge\u202f: pas de rapport depuis un moment"}};
const asked = new URLSearchParams(location.search).get("lang") || (navigator.language || "en").slice(0, 2);
const LANG = WORDS[asked] ? asked : "en", W = WORDS[LANG];
document.documentElement.lang = LANG;
document.title = W.title;
document.getElementById("title").textContent = W.title;
document.getElementById("state").textContent = W.loading;
document.getElementById("legend").textContent = W.legend;
function cell(tr, text, cls) { const td = document.createElement("td"); td.textContent = text;
  if (cls) td.className = cls; tr.appendChild(td); return td; }
async function draw() {
  let data;
  try { const r = await fetch("api/grid"); data = await r.json(); if (!r.ok) throw new Error(data.error); }
  catch (e) { document.getElementById("state").textContent = W.unread + e.message; return; }
  const head = document.querySelector("#grid thead"), body = document.querySelector("#grid tbody");
  const top = document.createElement("tr");
  W.head.concat(data.exercises.map(n => W.ex + n)).forEach(t => {
    const th = document.createElement("th"); th.textContent = t; top.appendChild(th); });
  head.replaceChildren(top);
  const rows = data.students.map(s => {
    const tr = document.createElement("tr"); tr.dataset.student = s.student;
    cell(tr, s.student, "student" + (s.stale ? " stale" : ""));
    const h = s.health, known = h.targets_expected !== undefined;
    cell(tr, known ? `${W.targets} ${h.targets_up}/${h.targets_expected}, ${W.machines} ${h.machines_running}/${h.machines_expected}` : "—",
         known ? (h.targets_up === h.targets_expected && h.machines_running === h.machines_expected ? "ok" : "bad") : "none");
    cell(tr, s.last_report === null ? W.never : W.ago(Math.round(s.last_report)), s.stale ? "stale" : "");
    data.exercises.forEach(n => { const e = s.exercises[n];
      if (!e || e.state === "none") cell(tr, "·", "none");
      else if (e.state === "done") cell(tr, W.done, "done").dataset.state = "done";
      else cell(tr, W.trying(e.attempts) + (e.hint ? W.hint(e.hint) : ""), "trying").dataset.state = "trying"; });
    return tr; });
  body.replaceChildren(...rows);
  document.getElementById("state").textContent = W.state(data.students.length, new Date().toLocaleTimeString(LANG));
}
draw(); setInterval(draw, 2000);
</script></body></html>
"""


def report_routes(classroom):
    """The reports port's routes: POST /report, GET /-/healthy."""

    class Report(served.Route):
        most = MAX_BODY

        def admit(self):
            """The credential, then the student's share, before a byte of the body is read."""
            self.student = classroom.student(self.request.headers.get("Authorization", ""))
            if self.student is None:
                return 401, {"error": "a student's credential is required (make join)"}
            if not classroom.take(self.student, time.time()):
                return 429, {"error": "reports come at most once a second"}
            return None

        def refused(self, status):
            classroom.count(REFUSED[status])

        def post(self):
            try:
                try:
                    body = json.loads(bytes(self.body))
                except (ValueError, UnicodeDecodeError, RecursionError):
                    raise Refused(400, "malformed", "the report is not JSON") from None
                classroom.store(self.student, checked(body, self.student, classroom.exercises, time.time()))
                return self.reply(200, {"student": self.student})
            except Refused as refused:
                classroom.count(refused.result)
                return self.reply(refused.status, {"error": str(refused)}, close=refused.status != 403)

    return [(r"/report", Report), (r"/-/healthy", Healthy), (r".*", _elsewhere("POST /report, GET /-/healthy"))]


def page_routes(classroom, prometheus, stale):
    """The page port's routes: the teacher's page, the grid (read from Prometheus in a thread of its own, so that a
    slow Prometheus holds no other request), the metrics."""
    reading = ThreadPoolExecutor(max_workers=2, thread_name_prefix="grid")

    class Metrics(served.Route):
        def get(self):
            return self.reply(200, classroom.metrics(), kind="text/plain; version=0.0.4; charset=utf-8")

    class Grid(served.Route):
        async def get(self):
            try:
                found = await asyncio.get_running_loop().run_in_executor(reading, grid, classroom, prometheus, stale)
            except (OSError, ValueError, KeyError) as e:
                return self.reply(503, {"error": f"Prometheus ({prometheus}) does not answer: {str(e)[:200]}"})
            return self.reply(200, found)

    class Page(served.Route):
        def get(self):
            return self.reply(200, PAGE, kind="text/html; charset=utf-8")

    return [(r"/", Page), (r"/api/grid", Grid), (r"/metrics", Metrics), (r"/-/healthy", Healthy),
            (r".*", _elsewhere("GET /, /api/grid, /metrics"))]


class Healthy(served.Route):
    def get(self):
        return self.reply(200, "ok", kind="text/plain")


def _elsewhere(what):
    class Elsewhere(served.Route):
        def admit(self):
            return 404, {"error": what}

        def get(self):
            return self.reply(*self.admit())

    return Elsewhere


def load(path):
    with open(path) as f:
        students = json.load(f)
    return Classroom(students["students"], students["credentials"], students["exercises"])


def tls(certificate, key):
    """The reports port's TLS context (the teacher's certificate and key, PEM), or None for plain HTTP."""
    if not certificate:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificate, key)
    return context


def serve(classroom, reports_at, page_at, prometheus, stale, context=None):
    """Both servers, listening (call inside the event loop): (reports server, page server). The reports come through
    a forwarded port, all from one address whatever the provider (VirtualBox's NAT, docker's proxy, libvirt's tunnel):
    no share per address, each student bounded by their credential's rate instead."""
    return (served.listen(report_routes(classroom), *reports_at, ssl=context),
            served.listen(page_routes(classroom, prometheus, stale), *page_at))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", required=True, help="ADDRESS:PORT students report to")
    parser.add_argument("--page", required=True, help="ADDRESS:PORT of the teacher's page and the metrics")
    parser.add_argument("--students", required=True, help="the students and their credentials' hashes (JSON)")
    parser.add_argument("--prometheus", required=True, help="the Prometheus that scrapes this service (URL)")
    parser.add_argument("--stale", type=float, default=120, help="seconds without a report before a student shows red")
    parser.add_argument("--tls-certificate", help="the reports port's certificate (PEM): HTTPS instead of HTTP")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = parser.parse_args(argv)
    at = [(a.rpartition(":")[0] or "0.0.0.0", int(a.rpartition(":")[2])) for a in (args.reports, args.page)]
    context = tls(args.tls_certificate, args.tls_key)
    classroom = load(args.students)
    def start():
        reports, page = serve(classroom, *at, args.prometheus.rstrip("/"), args.stale, context)
        print(f"classroom: reports on {at[0][0]}:{reports.port}, page on {at[1][0]}:{page.port}", flush=True)

    served.run(start)


if __name__ == "__main__":
    main(sys.argv[1:])
