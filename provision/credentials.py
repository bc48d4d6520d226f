"""Credentials the lab makes itself and several nodes share: made on the host, kept under .promlab/secrets, read by the
guests.

The remote-write password: every Prometheus sends its samples to VictoriaMetrics with it (basic auth), VictoriaMetrics
refuses a write without it, and the host's tests and Grafana read with it. Alertmanager's password, the classroom's
secret likewise. The host makes every one of them before a guest is provisioned (`host.vagrant --json --secrets`, which
the Vagrantfile runs for up, provision and reload; `make render` too); they reach the guests through the synced folder,
whatever its kind (a bind mount, VirtualBox's shared folder, a one-way rsync copy per machine). A guest only reads
them: it never writes into the synced folder, so nodes agree on one secret even when each has its own copy, and a
shared folder that refuses hard links, symlinks or chmod, or belongs to another user, is enough.
"""

import contextlib
import errno
import os
import re
import secrets
import tempfile

from provision.paths import SECRETS
from provision.steps import StepError

REMOTE_WRITE_USER = "promlab"
REMOTE_WRITE = SECRETS / "remote-write-password"
ALERTMANAGER_USER = "promlab"
ALERTMANAGER = SECRETS / "alertmanager-password"
CLASSROOM = SECRETS / "classroom-secret"
SHARED = (REMOTE_WRITE, ALERTMANAGER, CLASSROOM)  # what the host makes before any guest is provisioned
# Not a secret: which checkout a running lab belongs to (its Prometheus' page title, `Prometheus (promlab <id>)`), so
# that a client never takes another checkout's lab, answering on the same forwarded port, for its own.
IDENTITY = SECRETS / "lab-id"

# False inside a guest (the provisioning's entry point sets it): a secret is read there, never made.
make_missing = True


def made_once(path, make):
    """The file at `path`, written whole with `make()` (bytes) when there is none yet, in a folder only its owner
    enters, the file only its owner reads. Several processes at once agree on one: it appears whole, once (a hard link
    to a finished temporary file, which fails when another was first; then theirs is the one). On a file system that
    refuses hard links, the file is created exclusively instead (O_EXCL: one maker still wins). True when this call
    made it."""
    if path.is_file():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    content = make()
    fd, tmp = tempfile.mkstemp(dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
            raise
        return _created_exclusively(path, content)
    finally:
        os.unlink(tmp)


def _created_exclusively(path, content):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return True


def _random():
    return (secrets.token_urlsafe(32) + "\n").encode("ascii")


def make_all():
    """On the host, before any guest is provisioned: every shared secret and the lab's identity, made when there is
    none yet."""
    for path in SHARED:
        made_once(path, _random)
    made_once(IDENTITY, _identity)


def _identity():
    return (secrets.token_hex(4) + "\n").encode("ascii")


def lab_id():
    """This checkout's lab: 8 hex digits, made on the host once (a guest only reads it). It goes into a unit file:
    anything else there is refused in one sentence."""
    found = shared(IDENTITY, make=_identity)
    if not re.fullmatch(r"[0-9a-f]{8}", found):
        raise StepError(f"{IDENTITY} holds {found[:20]!r}, not this checkout's lab identity (8 hex digits): remove it, "
                        "and the next `make up` or `make provision` makes a new one")
    return found


def known_lab_id():
    """This checkout's lab identity when it has made one (a lab was rendered or brought up here), else None: asking
    never makes one."""
    try:
        return IDENTITY.read_text(encoding="ascii").strip() or None
    except (FileNotFoundError, UnicodeDecodeError):
        return None


# While `standing_in()` runs: {path: a stand-in}, answered by shared() instead of the secret (the digests of what the
# nodes get are then the same in every checkout, and no secret of this one is read for them).
_stand_ins = None


@contextlib.contextmanager
def standing_in():
    """Every shared secret and the lab's identity answered by a fixed stand-in, for as long as the block runs."""
    global _stand_ins
    saved, _stand_ins = _stand_ins, {path: f"stand-in-for-the-{path.name}" for path in SHARED} | {IDENTITY: "0" * 8}
    try:
        yield
    finally:
        _stand_ins = saved


def shared(path=REMOTE_WRITE, make=_random):
    """The secret at `path`. The host makes it (`make()`: 32 random URL-safe bytes by default) when there is none yet;
    a guest only reads it, and says in one sentence what to do when the host has not made it."""
    if _stand_ins is not None:
        return _stand_ins[path]
    if make_missing:
        made_once(path, make)
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise StepError(f"the lab's secret {path.name} is not in the synced folder ({path.parent}): the host makes it "
                        "before provisioning; provision from the host (`make provision`, or `vagrant provision`), "
                        "which makes it first") from None


def within(text):
    """True when `text` holds one of the lab's shared secrets (those made so far): a file that quotes one is a secret
    file, whether or not its role said so."""
    found = []
    for path in SHARED:
        try:
            found.append(path.read_text(encoding="ascii").strip())
        except (FileNotFoundError, UnicodeDecodeError):
            continue
    return any(value and value in text for value in found)


def remote_write():
    """(user, password) of the remote-write endpoint."""
    return REMOTE_WRITE_USER, shared(REMOTE_WRITE)


def alertmanager():
    """(user, password) Alertmanager's HTTP API asks of every caller: Prometheus, blackbox's probe, amtool, the host."""
    return ALERTMANAGER_USER, shared(ALERTMANAGER)
