"""The student's side of the classroom view: `make join` makes this lab report to the teacher's classroom service,
`make leave` stops it.

    make join CLASSROOM=http://192.168.1.10:9300      # asks for the credential the teacher handed you
    make join CLASSROOM=... CREDENTIAL_FILE=<a file holding it>
    make join CLASSROOM=https://... CLASSROOM_CA=<the teacher's certificate>   # a classroom with a certificate of its own
    make leave

The credential never sits on a command line (others see those in the process list) nor on disk here: `make join` reads
it from the prompt (not shown as typed) or the file, checks it with a first report, and hands it to the reporter through
a pipe; the reporter alone keeps it, in memory. The classroom's replies are its to say: only their printable text is
shown, and a reply that cannot be read is said to be so in one sentence.

A reporter runs in the background on the student's computer and sends, outward only, every REPORT_EVERY seconds and
soon after each `make exercise` (it watches the progress files): per exercise, passed or not, the checks so far, the
highest hint asked, the time of the last check (labclient/progress.py), and the lab's health (targets up out of those
lab.yaml expects, machines answering out of its nodes). Nothing else leaves the computer; the lab's forwarded ports
stay on 127.0.0.1. `make exercise` never waits for the classroom: it writes its progress file and is done; the
reporter sends it when it can (a report that fails is dropped, the next carries the same and newer).

    python3 -m labclient.classroom_student join|leave|status|report-loop
"""

import getpass
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from labclient import http, progress
from labclient.language import language
from labclient.prom import why
from labclient.say import said
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


def printable(text, most=200):
    """What a reply may show on the student's terminal: its printable characters (no escape sequence, no control
    character, no line break), at most `most` of them."""
    return "".join(ch if ch.isprintable() else " " for ch in str(text)[:most]).strip()


def settings(env=None, ask=None):
    """(classroom URL, credential, CA file or None) from CLASSROOM, the credential (CREDENTIAL_FILE, else asked with
    `ask`, a prompt that does not echo) and CLASSROOM_CA; JoinError naming the one that is not right."""
    env = os.environ if env is None else env
    url = env.get("CLASSROOM", "").strip()
    if not URL.fullmatch(url):
        raise JoinError(said(f"CLASSROOM={printable(url, 80)!r} is not the classroom's address; allowed: "
                             "http(s)://<address>:<port>, as the teacher's join line gives it",
                             f"CLASSROOM={printable(url, 80)!r} n'est pas l'adresse de la classe ; permis : "
                             "http(s)://<adresse>:<port>, comme la ligne de l'enseignant la donne", theirs=True))
    if env.get("CREDENTIAL"):
        raise JoinError(said("CREDENTIAL on make's command line shows in the process list; allowed: `make join "
                             "CLASSROOM=...` alone (it asks for the credential) or CREDENTIAL_FILE=<a file holding it>",
                             "CREDENTIAL sur la ligne de commande de make se voit dans la liste des processus ; permis : "
                             "`make join CLASSROOM=...` seul (il demande l'identifiant) ou CREDENTIAL_FILE=<un fichier "
                             "qui le contient>"))
    prompt = said("Your credential (the teacher's join line; not shown as you type): ",
                  "Votre identifiant (la ligne de l'enseignant ; il ne s'affiche pas pendant la frappe) : ")
    credential = _credential(env, ask or (lambda: getpass.getpass(prompt)))
    if not CREDENTIAL.fullmatch(credential):
        raise JoinError(said("the credential is not a classroom credential; allowed: the 32 letters, digits, '-' and "
                             "'_' of the teacher's join line",
                             "l'identifiant n'est pas celui d'une classe ; permis : les 32 lettres, chiffres, '-' et "
                             "'_' de la ligne de l'enseignant"))
    ca = env.get("CLASSROOM_CA", "").strip() or None
    if ca and not Path(ca).is_file():
        raise JoinError(said(f"CLASSROOM_CA={printable(ca, 80)!r} is not a file; allowed: the certificate file the "
                             "teacher handed out (PEM), for a classroom at an https:// address",
                             f"CLASSROOM_CA={printable(ca, 80)!r} n'est pas un fichier ; permis : le fichier de "
                             "certificat donné par l'enseignant (PEM), pour une classe à une adresse https://", theirs=True))
    if ca and not url.startswith("https://"):
        raise JoinError(said("CLASSROOM_CA is for a classroom at an https:// address; allowed: leave it out for "
                             "http://", "CLASSROOM_CA sert à une classe à une adresse https:// ; permis : l'omettre "
                             "pour http://"))
    return url.rstrip("/"), credential, ca


def _credential(env, ask):
    path = env.get("CREDENTIAL_FILE", "").strip()
    if not path:
        try:
            return ask().strip()
        except (EOFError, KeyboardInterrupt):
            raise JoinError(said("no credential was typed; allowed: the credential of the teacher's join line, typed "
                                 "when asked, or CREDENTIAL_FILE=<a file holding it>",
                                 "aucun identifiant n'a été tapé ; permis : l'identifiant de la ligne de l'enseignant, "
                                 "tapé quand il est demandé, ou CREDENTIAL_FILE=<un fichier qui le contient>")) from None
    try:
        with open(path, encoding="ascii") as f:
            return f.read(200).strip()
    except (OSError, UnicodeDecodeError):
        raise JoinError(said(f"CREDENTIAL_FILE={printable(path, 80)!r} cannot be read as a credential; allowed: a "
                             "file holding the 32 characters of the teacher's join line",
                             f"CREDENTIAL_FILE={printable(path, 80)!r} ne se lit pas comme un identifiant ; permis : un "
                             "fichier qui contient les 32 caractères de la ligne de l'enseignant", theirs=True)) from None


def health(lab, prometheus_url):
    """Targets up out of those lab.yaml expects; machines answering (a target of theirs up) out of its nodes."""
    expected = len(lab.targets()) + len(lab.probes())
    try:
        active = http.get(f"{prometheus_url}/api/v1/targets", params={"state": "active"},
                          timeout=TIMEOUT).json()["data"]["activeTargets"]
    except (http.Unreachable, ValueError, KeyError):
        active = []
    up = [t for t in active if t.get("health") == "up"]
    answering = {t.get("labels", {}).get("node") for t in up}
    return {"targets_up": min(len(up), 100_000), "targets_expected": expected,
            "machines_running": len(answering & {n.name for n in lab.nodes}), "machines_expected": len(lab.nodes)}


def report(lab):
    return {"exercises": progress.report(), "health": health(lab, lab.prometheus.host_url)}


def send(url, credential, body, ca=None):
    """(HTTP status or None, the classroom's reply or None when it cannot be read as one, what it said in printable
    text); never raises, never waits more than TIMEOUT. Over https, the classroom's certificate is checked (against
    `ca`, the teacher's, when given)."""
    try:
        reply = http.post(f"{url}/report", json=body, headers={"Authorization": f"Bearer {credential}"},
                          timeout=TIMEOUT, verify=ca or True, allow_redirects=False)
        text = reply.content[:4096].decode("utf-8", "replace")
    except http.Unreachable as e:
        return None, None, why(e)[language()]
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return reply.status_code, parsed if isinstance(parsed, dict) else None, printable(text)


def _stamp():
    files = [progress.folder() / "progress.json", progress.folder() / "hints.json"]
    return tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)


def _joined():
    """(classroom URL, CA file or None) of the join file."""
    found = json.loads(JOINED.read_text())
    return found["classroom"], found.get("ca")


def report_loop():
    """Report until `make leave` (the join file gone): on each change of the progress files, and every REPORT_EVERY s.
    The credential comes on its standard input, once: it is kept in memory only."""
    from labclient.lab import loaded

    credential = sys.stdin.readline().strip()
    sys.stdin.close()
    lab, last_sent, last_stamp = loaded(), 0.0, None
    while JOINED.exists():
        url, ca = _joined()
        stamp = _stamp()
        if stamp != last_stamp or time.monotonic() - last_sent >= REPORT_EVERY:
            status, _, text = send(url, credential, report(lab), ca)
            print(f"{time.strftime('%H:%M:%S')} report: {status or 'not sent'} {text}", flush=True)
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
    # "labclient.classroom": a reporter started before the module took its name (labclient.classroom_student) is one too
    if os.path.exists(cmdline) and b"labclient.classroom" not in open(cmdline, "rb").read():
        return None
    return pid


def _stop():
    pid = _running()
    if pid:
        os.kill(pid, signal.SIGTERM)
    PID.unlink(missing_ok=True)
    return pid


def join(env=None, ask=None):
    url, credential, ca = settings(env, ask)
    FOLDER.mkdir(parents=True, exist_ok=True)
    FOLDER.chmod(0o700)
    JOINED.write_text(json.dumps({"classroom": url, "ca": str(Path(ca).resolve()) if ca else None}) + "\n")
    JOINED.chmod(0o600)
    from labclient.lab import loaded

    status, reply, answer = send(url, credential, report(loaded()), ca)
    _stop()
    flags = {"start_new_session": True} if os.name == "posix" else {"creationflags": 0x00000008}  # DETACHED_PROCESS
    with open(LOG, "a") as log:
        proc = subprocess.Popen([sys.executable, "-m", "labclient.classroom_student", "report-loop"], cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.PIPE, text=True, **flags)
        proc.stdin.write(credential + "\n")  # the reporter's alone, never on disk nor a command line
        proc.stdin.close()
    PID.write_text(f"{proc.pid}\n")
    message, code = outcome(url, status, reply, answer)
    print(message)
    return code


def outcome(url, status, reply, reply_text):
    """(what `make join` says of the first report, its exit code), from send()'s answer: printable text only."""
    student = reply.get("student") if reply else None
    if status == 200 and isinstance(student, str):
        return said(f"joined {url}: your lab reports to it as {printable(student, 60)} (make leave stops it)",
                    f"classe rejointe, {url} : votre lab lui rend compte sous le nom {printable(student, 60)} "
                    "(make leave l'arrête)", theirs=True), 0
    if status == 200:
        reason = said(f"its reply cannot be read as the classroom's ({reply_text[:80]!r}): is {url} the classroom's "
                      "address?", f"sa réponse ne se lit pas comme celle d'une classe ({reply_text[:80]!r}) : {url} "
                      "est-elle l'adresse de la classe ?", theirs=True)
    else:
        reason = {401: said("it does not know this credential: check the join line",
                            "elle ne connaît pas cet identifiant : vérifiez la ligne de l'enseignant"),
                  None: said(f"it does not answer ({reply_text})", f"elle ne répond pas ({reply_text})")
                  }.get(status, f"{status} {reply_text}")
    return said(f"joined {url}, but the first report was not taken: {reason}; the reporter tries again every "
                f"{REPORT_EVERY} s (its log: {LOG}; make leave stops it)",
                f"classe rejointe, {url}, mais le premier rapport n'a pas été pris : {reason} ; le rapporteur "
                f"réessaie toutes les {REPORT_EVERY}\u00a0s (son journal : {LOG} ; make leave l'arrête)", theirs=True), \
        0 if status is None else 1


def leave():
    had = JOINED.exists()
    JOINED.unlink(missing_ok=True)
    stopped = _stop()
    print(said("left the classroom: nothing is reported any more", "classe quittée : plus rien n'est envoyé")
          if had or stopped else said("not in a classroom", "dans aucune classe"))
    return 0


def status():
    if not JOINED.exists():
        print(said("not in a classroom (make join CLASSROOM=...)", "dans aucune classe (make join CLASSROOM=...)"))
        return 1
    url, _ = _joined()
    print(said(f"reporting to {url}", f"rend compte à {url}") + ("" if _running() else said(
        " - but the reporter is not running: make join again", " — mais le rapporteur ne tourne pas : refaites make join")))
    return 0


def main(argv):
    action = argv[0] if argv else "status"
    actions = {"join": join, "leave": leave, "status": status, "report-loop": report_loop}
    if action not in actions:
        print(f"labclient.classroom_student: {action!r} is not an action; allowed: {', '.join(actions)}", file=sys.stderr)
        return 2
    try:
        return actions[action]()
    except JoinError as e:
        print(f"make join: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
