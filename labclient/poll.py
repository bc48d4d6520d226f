"""Polling the running lab with a deadline (provision/waiting.py, the lab's one way of waiting): on timeout, TimedOut
says what was awaited and what was last seen."""

from provision.waiting import TimedOut, until  # noqa: F401 - TimedOut, as the callers catch it


def wait_for(fetch, ok, timeout, what, interval=0.5):
    """Call fetch() until ok(value) holds; return that value (provision.waiting.until)."""
    return until(fetch, ok, timeout, what, interval)
