"""teacher/cases.yaml: answers students write, right and wrong, per exercise and answer file, which the proofs read
(tests/test_grading.py on the engine alone, labtests/test_exercises.py on the running lab)."""

from dataclasses import dataclass

import yaml

from exercises.base import REPO
from provision.inventory import _Loader as StrictLoader  # no duplicate keys: a second `script:` would hide the first

TABLE = REPO / "teacher" / "cases.yaml"


@dataclass(frozen=True)
class Case:
    number: int
    file: str  # the answer file under answers/, "rule" / "alert" (exercises 9 and 10), or "script"
    answer: object  # the text, {expr, for} for an alert, or the script's path
    right: bool
    says: str = ""  # a wrong answer: what the check's message must match
    says_fr: str = ""  # a scripted wrong attempt: the same in French (the others' French is the engine's, in the notes)
    did_fr: str = ""  # a scripted wrong attempt: what it does, in French (in English: its script's comment)

    @property
    def scripted(self):
        return self.file == "script"

    @property
    def id(self):
        kind = "right" if self.right else "wrong"
        text = self.answer["expr"] if isinstance(self.answer, dict) else self.answer
        return f"{self.number}-{self.file}-{kind}-{' '.join(str(text).split())[:50]}"


def load(path=TABLE):
    found = []
    for number, files in yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader).items():
        for file, cases in files.items():
            found += [Case(int(number), file, answer, True) for answer in cases.get("right", [])]
            found += [Case(int(number), file, c["answer"], False, c["says"], c.get("says_fr", ""), c.get("did_fr", ""))
                      for c in cases.get("wrong", [])]
    return found
