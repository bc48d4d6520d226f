"""Polling with a deadline: never a blind sleep, and on timeout say what was last seen."""

import time


def wait_for(fetch, ok, timeout, what, interval=0.5):
    """Call fetch() until ok(value) holds; return that value.

    An exception from fetch() counts as a value not yet good. On timeout raise
    AssertionError naming `what` and the last value (or error) seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fetch()
            if ok(value):
                return value
            last = repr(value)
        except Exception as e:  # noqa: BLE001 - anything fetch() raises is "not yet"
            last = f"{type(e).__name__}: {e}"
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not so after {timeout:.0f}s; last seen: {last[:2000]}")
        time.sleep(interval)
