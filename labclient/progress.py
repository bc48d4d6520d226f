"""A student's progress, kept on their computer: per exercise, the checks so far, whether the last one passed and when
(`make exercise N`), and the highest hint asked (`make exercise N hint`). `make join` reports it to the classroom
(labclient/classroom_student.py); nothing else reads it.

In .promlab/ (progress.json, hints.json), or in $PROMLAB_PROGRESS: the proofs of the exercises (make
prove-exercises) keep theirs apart, so that they never change a student's own.
"""

import json
import os
import re
import tempfile
import time
from pathlib import Path

from provision.paths import REPO


def folder():
    return Path(os.environ.get("PROMLAB_PROGRESS") or REPO / ".promlab")


def _read(name):
    try:
        found = json.loads((folder() / name).read_text())
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(name, value):
    """Whole or not at all: a reader (the classroom reporter) never sees half a file."""
    folder().mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder(), prefix=f".{name}.")
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps(value, sort_keys=True) + "\n")
    os.replace(tmp, folder() / name)


def hints():
    """{exercise number (str): hints given}."""
    return _read("hints.json")


def save_hints(given):
    _write("hints.json", given)


def checks():
    """{exercise number (str): {"attempts", "passed", "last_check"}}."""
    return _read("progress.json")


def record_check(number, passed, now=None):
    found = checks()
    previous = found.get(str(number), {})
    found[str(number)] = {"attempts": int(previous.get("attempts", 0)) + 1, "passed": bool(passed),
                          "last_check": round(now if now is not None else time.time(), 3)}
    _write("progress.json", found)


def forget(number):
    """After `make reset-exercise N`: the exercise starts again (its hints too)."""
    for name in ("progress.json", "hints.json"):
        found = _read(name)
        if found.pop(str(number), None) is not None:
            _write(name, found)


def report():
    """What the classroom receives about the exercises: {number: {passed, attempts, hint, last_check}}."""
    given, done = hints(), checks()
    numbers = sorted(n for n in set(given) | set(done) if re.fullmatch(r"[0-9]{1,3}", n, re.ASCII))
    return {n: {"passed": bool(done.get(n, {}).get("passed", False)), "attempts": int(done.get(n, {}).get("attempts", 0)),
                "hint": int(given.get(n, 0)), "last_check": float(done.get(n, {}).get("last_check", 0))}
            for n in sorted(numbers, key=int)}
