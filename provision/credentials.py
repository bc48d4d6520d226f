"""Credentials the lab makes itself and several nodes share: made once, kept under .promlab/secrets.

The remote-write password: every Prometheus sends its samples to VictoriaMetrics with it (basic auth),
VictoriaMetrics refuses a write without it, and the host's tests and Grafana read with it. The first
provisioning that needs it makes it; nodes provisioned at the same time agree on one (the file appears
whole, once: a hard link to a finished temporary file, which fails when another node was first).
"""

import os
import secrets
import tempfile

from provision.paths import SECRETS

REMOTE_WRITE_USER = "promlab"
REMOTE_WRITE = SECRETS / "remote-write-password"


def made_once(path, make):
    """The file at `path`, written whole with `make()` (bytes) when there is none yet, in a folder only its owner
    enters, the file only its owner reads. Several processes at once agree on one: it appears whole, once (a hard link
    to a finished temporary file, which fails when another was first; then theirs is the one). True when this call
    made it."""
    if path.is_file():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(make())
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def shared(path=REMOTE_WRITE):
    """The secret at `path`, made (32 random URL-safe bytes) when there is none yet."""
    made_once(path, lambda: (secrets.token_urlsafe(32) + "\n").encode("ascii"))
    return path.read_text(encoding="ascii").strip()


def remote_write():
    """(user, password) of the remote-write endpoint."""
    return REMOTE_WRITE_USER, shared(REMOTE_WRITE)


ALERTMANAGER_USER = "promlab"
ALERTMANAGER = SECRETS / "alertmanager-password"


def alertmanager():
    """(user, password) Alertmanager's HTTP API asks of every caller: Prometheus, blackbox's probe, amtool, the host."""
    return ALERTMANAGER_USER, shared(ALERTMANAGER)
