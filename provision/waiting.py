"""Waiting with a deadline, the one way the lab waits, in every room (the guests' provisioning, the host, the client
of the running lab, the exercises, the tests): never a blind sleep, and on timeout a sentence naming what was awaited,
how long, and what was last seen. Standard library only: it runs inside the guests too."""

import time


class TimedOut(Exception):
    """What was awaited did not come. str(): `<what>: not so after <N> s; last seen: <value or error>`, or, given up
    before the deadline, `<what>: not so, <why it was given up>; last seen: ...`."""

    def __init__(self, what, timeout, last, reason=None):
        self.what, self.timeout, self.last, self.reason = what, timeout, last, reason
        super().__init__(f"{what}: not so{f', {reason}' if reason else f' after {timeout:g} s'}; last seen: {str(last)[:2000]}")


def until(fetch, ok=bool, timeout=30, what="the condition", interval=0.5, stop=None, error=TimedOut):
    """fetch() again and again until ok(its value) holds; that value. An exception fetch() raises counts as a value not
    yet good, and is what was last seen. `stop()`: a reason to give up before the deadline (the process awaited has
    died), or None. TimedOut once `timeout` seconds have passed, or at once when stop() gives a reason; `error`: the
    room's own failure instead (the provisioning's StepError), with the same sentence."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fetch()
            if ok(value):
                return value
            last = repr(value)
        except Exception as e:  # noqa: BLE001 - anything fetch() raises is "not yet"
            last = f"{type(e).__name__}: {e}"
        reason = stop() if stop else None
        if reason or time.monotonic() >= deadline:
            timed_out = TimedOut(what, timeout, last, reason)
            raise timed_out if error is TimedOut else error(str(timed_out))
        time.sleep(interval)


def became(fetch, timeout, interval=0.5):
    """True once fetch() is truthy within `timeout` seconds, else False (an exception of fetch() counts as not yet): for a
    caller that goes on either way and says itself what a False means."""
    try:
        until(fetch, bool, timeout, interval=interval)
        return True
    except TimedOut:
        return False
