"""Exercises are found, not listed: a module exNN_<what>.py in exercises/ is exercise NN, with nothing else to edit in the
code (its cases and its guide pages are the rest). Proven with throwaway modules in a folder of their own, added to the
package's search path for the test alone."""

import sys

import pytest

import exercises

THROWAWAY = '''from exercises.base import Exercise, say
EXERCISE = Exercise(number={number}, title=say("Essai", "Trial"), learn=say("rien", "nothing"), hints=(),
                    check=lambda ctx: [], undo=lambda ws: None)
'''


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder on the exercises package's path; the modules imported from it are forgotten afterwards."""
    monkeypatch.setattr(exercises, "__path__", [*exercises.__path__, str(tmp_path)])
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("exercises.ex"):
            del sys.modules[name]


def test_every_exercise_module_of_the_folder_is_an_exercise_in_order():
    found = exercises.exercises()
    assert list(found) == sorted(found) and len(found) == len(exercises.modules())


def test_a_new_module_is_a_new_exercise_with_nothing_else_edited(folder):
    (folder / "ex97_trial.py").write_text(THROWAWAY.format(number=97))
    found = exercises.exercises()
    assert list(found)[-1] == 97 and found[97].title.en == "Trial"


def test_a_module_whose_exercise_has_another_number_is_refused_naming_the_file(folder):
    (folder / "ex98_trial.py").write_text(THROWAWAY.format(number=99))
    with pytest.raises(ValueError, match=r"exercises/ex98_trial\.py holds exercise 99"):
        exercises.exercises()


def test_two_modules_of_one_number_are_refused(folder):
    (folder / "ex01_again.py").write_text(THROWAWAY.format(number=1))
    with pytest.raises(ValueError, match="is a second exercise 1"):
        exercises.exercises()


def test_a_module_not_named_like_an_exercise_is_not_one(folder):
    (folder / "helpers_for_97.py").write_text(THROWAWAY.format(number=97))
    assert 97 not in exercises.exercises()
