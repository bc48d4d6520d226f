"""Make's arguments reach the programs as data, and `make clean` removes what the build made, nothing else."""

import shutil
import subprocess

import pytest

from provision import inventory

REPO = inventory.REPO
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args, cwd=REPO):
    # -o venv: the venv is taken as made (these tests run inside it); PY=echo shows what the program would get.
    return subprocess.run(["make", "--no-print-directory", "-o", "venv", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("value", ["99;touch {x}", "$(touch {x})", "`touch {x}`", "3 && touch {x}", "'; touch {x}; '"])
def test_an_exercise_number_reaches_the_program_as_one_argument_never_the_shell(tmp_path, value):
    marker = tmp_path / "ran"
    argument = value.format(x=marker)
    python = tmp_path / "python"  # stands for the venv's: prints each argument it gets on a line of its own
    python.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n')
    python.chmod(0o755)
    proc = _make("exercise", f"N={argument}", f"PY={python}")
    assert not marker.exists(), f"make ran a command from N: {proc.stdout}{proc.stderr}"
    assert f"[{argument}]" in proc.stdout.splitlines(), proc.stdout


def test_make_clean_removes_the_builds_own_files_and_keeps_a_users(tmp_path):
    clone = tmp_path / "promlab"
    subprocess.run(["git", "clone", "--quiet", "--local", str(REPO), str(clone)], check=True)
    build = clone / "build"
    (build / "rendered" / "node1").mkdir(parents=True)
    (build / "up.log").write_text("log\n")
    (build / "lab-12.yaml").write_text("benchmark's\n")
    (build / "my-lab.yaml").write_text("mine\n")
    proc = _make("-o", "down", "clean", cwd=clone)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in build.iterdir()) == ["my-lab.yaml"]


@pytest.mark.parametrize("value", ["$(shell touch {x})", "x;touch {x}", "`touch {x}`", "'; touch {x}; '"])
def test_the_join_settings_reach_the_program_as_data_never_the_shell(tmp_path, value):
    marker = tmp_path / "ran"
    argument = value.format(x=marker)
    python = tmp_path / "python"  # stands for the venv's: prints what it finds in its environment
    python.write_text('#!/bin/sh\nprintf "[%s][%s]\\n" "$CLASSROOM" "$CREDENTIAL"\n')
    python.chmod(0o755)
    proc = _make("join", f"CLASSROOM={argument}", f"CREDENTIAL={argument}", f"PY={python}")
    assert not marker.exists(), f"make ran a command from CLASSROOM: {proc.stdout}{proc.stderr}"
    assert f"[{argument}][{argument}]" in proc.stdout.splitlines(), proc.stdout


HOSTILE_WORDS = ["venv:;touch$${{IFS}}{x}", "venv:;touch$${{IFS}}{x};", "%:;touch$${{IFS}}{x}", "$(shell touch {x})",
                 "$$(touch {x})", "`touch {x}`", "a;touch${{IFS}}{x}", "x:;touch${{IFS}}{x}", "define", "endef",
                 ".DEFAULT:;touch$${{IFS}}{x}", "export", "#", "\\", "override"]


@pytest.mark.parametrize("goal", ["exercise", "reset-exercise"])
@pytest.mark.parametrize("position", [2, 3])
@pytest.mark.parametrize("template", HOSTILE_WORDS)
def test_a_goal_word_after_make_exercise_is_data_never_makefile_text(tmp_path, goal, position, template):
    """`make exercise 3 hint`: the words are the number and the action, passed to the program as N and DO; a word
    holding make's or the shell's syntax is never evaluated, in either position."""
    marker = tmp_path / "ran"
    word = template.format(x=marker)
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n')
    python.chmod(0o755)
    words = [word, "hint"] if position == 2 else ["3", word]
    proc = _make(goal, *words, f"PY={python}")
    assert not marker.exists(), f"make ran a command from a goal word: {proc.stdout}{proc.stderr}"
    if " " not in word and (goal == "exercise" or position == 2):  # make splits at spaces; reset: the number alone
        assert f"[{word}]" in proc.stdout.splitlines(), proc.stdout + proc.stderr


@pytest.mark.parametrize("goal", ["exercise", "reset-exercise", "status", "doctor", "join", "leave"])
def test_a_students_command_that_fails_exits_non_zero_without_makes_error_line(tmp_path, goal):
    """The program's own sentence, then nothing: make's "*** [Makefile:N: exercise] Error 1" under it reads like a
    crash. The program stands in here (PY=, PYTHON=): it says one sentence and exits 1."""
    program = tmp_path / "python"
    program.write_text('#!/bin/sh\necho "NOT DONE YET" >&2\nexit 1\n')
    program.chmod(0o755)
    proc = subprocess.run(["make", "-o", "venv", goal, f"PY={program}", f"PYTHON={program}"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode != 0, proc.stderr
    assert proc.stderr == "NOT DONE YET\n", proc.stderr
