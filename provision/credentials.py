"""Credentials the lab makes itself and several nodes share: made once, kept under .promlab/secrets.

The remote-write password: every Prometheus sends its samples to VictoriaMetrics with it (basic auth),
VictoriaMetrics refuses a write without it, and the host's tests and Grafana read with it. The first
provisioning that needs it makes it; nodes provisioned at the same time agree on one (the file appears
whole, once: a hard link to a finished temporary file, which fails when another node was first).
"""

import os
import secrets
import tempfile

from provision.inventory import SECRETS

REMOTE_WRITE_USER = "promlab"
REMOTE_WRITE = SECRETS / "remote-write-password"


def shared(path=REMOTE_WRITE):
    """The secret at `path`, made (32 random URL-safe bytes) when there is none yet."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        os.link(tmp, path)  # fails when another provisioning made it first: then theirs is the one
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()


def remote_write():
    """(user, password) of the remote-write endpoint."""
    return REMOTE_WRITE_USER, shared(REMOTE_WRITE)
