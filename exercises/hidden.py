"""A choice an exercise's start makes and keeps from the student: saved only as a salted hash, which the
check recognises among the candidates and a curious student cannot read."""

import hashlib
import json
import secrets

from exercises.base import REPO


class Hidden:
    def __init__(self, number):
        self.path = REPO / ".promlab" / f"exercise-{number}.json"

    @staticmethod
    def _digest(salt, choice):
        return hashlib.sha256(f"{salt}:{choice}".encode()).hexdigest()

    def save(self, choice, **state):
        """Keep `choice` hidden, with `state` (times, ...) in the clear."""
        salt = secrets.token_hex(8)
        self.path.parent.mkdir(exist_ok=True)
        self.path.write_text(json.dumps({**state, "salt": salt, "digest": self._digest(salt, choice)}) + "\n")

    def find(self, candidates):
        """(the saved choice among `candidates`, the state), or (None, None) when nothing was saved."""
        if not self.path.is_file():
            return None, None
        state = json.loads(self.path.read_text())
        for choice in candidates:
            if self._digest(state["salt"], choice) == state["digest"]:
                return choice, state
        return None, None

    def forget(self):
        self.path.unlink(missing_ok=True)
