"""The workshop's exercises: one module per exercise (exNN_<what>.py), each holding one EXERCISE.

    python3 -m exercises                 the list, with what each one teaches
    python3 -m exercises N               check exercise N on the running lab (make exercise N)
    python3 -m exercises N hint          the next hint of exercise N, one at a time
    python3 -m exercises N start         prepare exercise N (exercise 12 breaks something)
    python3 -m exercises reset N         back to the start of exercise N, undoing only its own changes
"""

import importlib
import pkgutil
import re

MODULE = re.compile(r"ex(\d\d)_[a-z0-9_]+")  # exNN_<what>: NN is its number, the order of the workshop


def modules():
    """The exercise modules of this folder (exNN_<what>.py), found rather than listed: adding an exercise is its module,
    its cases in teacher/cases.yaml and its guide pages."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if MODULE.fullmatch(m.name))


def exercises():
    """{number: Exercise}, in order. An EXERCISE whose number is not its file's, or two files of one number, is a mistake
    said at once (ValueError), never an exercise silently shadowed."""
    found = {}
    for name in modules():
        exercise = importlib.import_module(f"exercises.{name}").EXERCISE
        if exercise.number != int(MODULE.fullmatch(name).group(1)):
            raise ValueError(f"exercises/{name}.py holds exercise {exercise.number}: its file is named ex{exercise.number:02d}_<what>.py")
        if exercise.number in found:
            raise ValueError(f"exercises/{name}.py is a second exercise {exercise.number}")
        found[exercise.number] = exercise
    return dict(sorted(found.items()))
