"""When an exercise's attempt began: its last reset (`make reset-exercise N`). A check that reads the lab's history
(alerts that fired, notifications received) reads it from then on, never an earlier attempt's."""

import json
import time

from exercises.base import REPO


class Attempt:
    def __init__(self, number):
        self.path = REPO / ".promlab" / f"exercise-{number}-attempt.json"

    def begin(self, at=None):
        self.path.parent.mkdir(exist_ok=True)
        self.path.write_text(json.dumps({"started": at if at is not None else time.time()}) + "\n")

    def started(self):
        """Seconds since the epoch the attempt began, or None before the first reset."""
        try:
            return float(json.loads(self.path.read_text())["started"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
