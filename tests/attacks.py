"""Attacks on a service listening on this machine, for the tests of promlab's own services (the alert receiver, the
classroom): connections from loopback addresses (127.0.0.0/8 is all this machine's) that stay idle, trickle their
headers, or send headers past any sane size, each reopened as soon as the service closes it. Bounded in count (the
sources given) and in time (the `with` block, at most LONGEST seconds), all in one thread of this process.

    with attack("trickle", port, sources) as seen:
        ...                   # the service under attack
    seen.opened, seen.closed  # connections made, and closed by the service
"""

import contextlib
import os
import re
import selectors
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

LONGEST = 60.0  # seconds an attack may last, whatever the test does
EVERY = 2.0  # seconds between two bytes of a trickling connection
HALF = b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
HUGE_LINE = b"X-Padding: " + b"a" * (64 << 10) + b"\r\n"  # one header line of 64 KiB
KINDS = ("idle", "half", "trickle", "oversized")


@dataclass
class Seen:
    opened: int = 0
    closed: int = 0  # by the service (it answered or let go), counted when noticed
    order: list = field(default_factory=list)  # each connection the service closed, by its place among the openings
    refused: int = 0  # connections that could not be opened
    errors: list = field(default_factory=list)


class _Slot:
    def __init__(self, source):
        self.source, self.sock, self.serial, self.due, self.pending = source, None, 0, 0.0, b""


def _open(slot, port, kind, seen, selector):
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=1, source_address=(slot.source, 0))
    except OSError:
        seen.refused += 1
        return
    sock.setblocking(False)
    slot.sock, slot.serial, slot.due = sock, seen.opened, time.monotonic() + EVERY
    slot.pending = {"idle": b"", "half": HALF, "trickle": HALF + b"X-Trickle: " + b"a" * 4096,
                    "oversized": HALF + HUGE_LINE * 99}[kind]
    selector.register(sock, selectors.EVENT_READ, slot)
    seen.opened += 1


def _close(slot, selector):
    with contextlib.suppress(KeyError, ValueError):
        selector.unregister(slot.sock)
    slot.sock.close()
    slot.sock = None


def _closed_by_the_service(slot, selector, seen):
    seen.closed += 1
    seen.order.append(slot.serial)
    _close(slot, selector)


def _send(slot, kind, now):
    """What the connection sends now: a trickle, a byte every EVERY seconds; the others, all they have, as fast as
    the service reads."""
    if kind == "trickle":
        if now >= slot.due and slot.pending:
            slot.sock.send(slot.pending[:1])
            slot.pending, slot.due = slot.pending[1:], now + EVERY
    elif slot.pending:
        sent = slot.sock.send(slot.pending[:1 << 16])
        slot.pending = slot.pending[sent:]


def _run(kind, port, sources, stop, seen):
    selector, slots = selectors.DefaultSelector(), [_Slot(s) for s in sources]
    deadline = time.monotonic() + LONGEST
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            now = time.monotonic()
            for slot in slots:
                if slot.sock is None:
                    _open(slot, port, kind, seen, selector)
                    continue
                try:
                    _send(slot, kind, now)
                except BlockingIOError:
                    pass
                except OSError:
                    _closed_by_the_service(slot, selector, seen)
            for key, _ in selector.select(timeout=0.05):
                slot = key.data
                try:
                    data = slot.sock.recv(1 << 16)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    _closed_by_the_service(slot, selector, seen)
    except Exception as e:  # noqa: BLE001 - said by the test that reads `seen`
        seen.errors.append(repr(e))
    finally:
        for slot in slots:
            if slot.sock is not None:
                _close(slot, selector)
        selector.close()


@contextlib.contextmanager
def attack(kind, port, sources):
    """`kind` of connections (KINDS) to 127.0.0.1:port, one from each address of `sources`, for the block's time."""
    assert kind in KINDS, kind
    stop, seen = threading.Event(), Seen()
    thread = threading.Thread(target=_run, args=(kind, port, list(sources), stop, seen), daemon=True)
    thread.start()
    time.sleep(0.5)  # the connections opened before the block measures anything
    try:
        yield seen
    finally:
        stop.set()
        thread.join(10)


def catalogue(shared):
    """The attacks a service of promlab must hold against, by name: (kind, its connections' addresses), bounded (a
    few hundred connections at most), `shared` among the addresses where a legitimate client's own address belongs
    (a class behind one NAT)."""
    return {
        "idle from the students' address": ("idle", [shared] * 64),
        "idle from many addresses": ("idle", addresses(300, per_address=4)),
        "half requests": ("half", [shared] * 16 + addresses(48, per_address=4)),
        "trickled headers": ("trickle", [shared] * 16 + addresses(48, per_address=4)),
        "oversized headers": ("oversized", [shared] * 4 + addresses(12, per_address=4)),
    }


def ids(found):
    """Test ids of a catalogue's attacks: their names without spaces or quotes."""
    return [name.replace(" ", "-").replace("'", "") for name in found]


def addresses(count, per_address=1, first=20):
    """`count` connections' source addresses, `per_address` from each loopback address from 127.0.<n>.<first>."""
    return [f"127.0.{1 + (first + i // per_address) // 250}.{1 + (first + i // per_address) % 250}" for i in range(count)]


def answered(call, tries=10, pause=0.2):
    """How many of `tries` calls of `call` (a function that returns True when answered as it should be, False or an
    exception otherwise) succeeded; with what the failures were."""
    ok, failures = 0, []
    for _ in range(tries):
        try:
            if call():
                ok += 1
            else:
                failures.append("a wrong answer")
        except OSError as e:
            failures.append(f"{type(e).__name__}: {e}"[:120])
        time.sleep(pause)
    return ok, failures


def started(command, pattern, within=10):
    """Runs `command` (a service told to listen on port 0) until its output's first line matches `pattern` (a regex
    whose groups are the ports it bound): (process, [ports]); the test fails saying what it printed otherwise."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = selectors.DefaultSelector()
    ready.register(proc.stdout, selectors.EVENT_READ)
    line = ready.select(timeout=within) and proc.stdout.readline()
    ready.close()
    found = re.search(pattern, line or "")
    if not found:
        proc.kill()
        raise AssertionError(f"{command[1]} did not say where it listens within {within} s; it printed {line!r}, "
                             f"{proc.stderr.read()[-400:]!r}")
    for stream in (proc.stdout, proc.stderr):  # read on, or a service that logs would block once the pipe is full
        threading.Thread(target=lambda stream=stream: [None for _ in stream], daemon=True).start()
    return proc, [int(port) for port in found.groups()]


def peak_memory(pid):
    """The process' peak resident memory in MiB (VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))
