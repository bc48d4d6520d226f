"""A value the fast tests compute once per run, whichever pytest-xdist worker asks first."""

import fcntl
import json
import os


def once_per_run(tmp_path_factory, name, compute):
    """compute()'s value (JSON), computed once per pytest run. With pytest-xdist each worker has its own module and
    session fixtures, so a fixture of a minute of subprocesses ran once per worker; the first worker to ask now computes
    it and the others read it (a file in the run's temporary folder, which the workers share, behind a lock)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    result = shared / f"once-{name}.json"
    with open(shared / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            result.write_text(json.dumps(compute()))
        return json.loads(result.read_text())
