"""The lab's one way of waiting (provision/waiting.py): the first good value, errors as "not yet", and on timeout a
sentence naming what was awaited and what was last seen; given up at once when told why."""

import itertools

import pytest

from provision import waiting


def _sequence(*values):
    """fetch() giving `values` one per call, then the last one for ever; an exception among them is raised."""
    it = itertools.chain(values, itertools.repeat(values[-1]))

    def fetch():
        value = next(it)
        if isinstance(value, Exception):
            raise value
        return value
    return fetch


def test_the_first_good_value_is_returned():
    assert waiting.until(_sequence(1, 2, 3, 4), lambda v: v >= 3, 5, "three", interval=0) == 3


def test_an_error_of_fetch_counts_as_not_yet():
    assert waiting.until(_sequence(OSError("refused"), "up"), lambda v: v == "up", 5, "up", interval=0) == "up"


def test_a_timeout_names_what_was_awaited_how_long_and_what_was_last_seen():
    with pytest.raises(waiting.TimedOut, match=r"^the target up: not so after 0\.2 s; last seen: 'down'$"):
        waiting.until(_sequence("down"), lambda v: v == "up", 0.2, "the target up", interval=0.05)


def test_the_last_error_is_what_was_last_seen():
    with pytest.raises(waiting.TimedOut, match=r"last seen: ConnectionRefusedError: nobody listens$"):
        waiting.until(_sequence(ConnectionRefusedError("nobody listens")), bool, 0.1, "an answer", interval=0.05)


def test_a_reason_to_stop_gives_up_at_once_saying_it():
    calls = []
    with pytest.raises(waiting.TimedOut, match=r"^ready: not so, it exited with 1; last seen: None$"):
        waiting.until(lambda: calls.append(1), bool, 60, "ready", interval=0.05, stop=lambda: "it exited with 1")
    assert len(calls) == 1, "it went on asking after it was told why to stop"


def test_a_room_may_raise_its_own_error_with_the_same_sentence():
    class StepError(Exception):
        pass

    with pytest.raises(StepError, match=r"^Grafana healthy: not so after 0\.1 s; last seen: 503$"):
        waiting.until(_sequence(503), lambda v: v == 200, 0.1, "Grafana healthy", interval=0.05, error=StepError)


@pytest.mark.parametrize(("values", "expected"), [((0, 0, 7), True), ((0,), False), ((RuntimeError("x"), 1), True)],
                         ids=["comes", "never-comes", "after-an-error"])
def test_became_says_whether_it_came(values, expected):
    assert waiting.became(_sequence(*values), 0.3, interval=0.01) is expected
