"""Every exercise's self-check, run twice on the lab: before the exercise is done it must say
"not done" and why; after the solution (exercises/solutions/N.sh) is applied it must pass.
The lab is then reset to the start of the exercise (exercises/reset.py), also on failure.

Marked `exercise` (they change lab.yaml and the lab for a while); they run after everything else.
"""

import subprocess
import sys

import pytest

from exercises.__main__ import TITLES
from exercises.reset import reset
from labtests.poll import wait_for
from provision import inventory

REPO = inventory.REPO
# The exercises are written for the repository's lab.yaml (node3 and node6 exist, node7 does not).
OTHER_LAB = inventory.default_path().resolve() != (REPO / "lab.yaml").resolve()
pytestmark = [pytest.mark.exercise,
              pytest.mark.skipif(OTHER_LAB, reason=f"LAB_FILE names {inventory.default_path()}: the exercises and their "
                                                   "solutions are written for the repository's lab.yaml")]


def check(number, lang):
    return subprocess.run([sys.executable, "-m", "exercises", str(number), "--lang", lang], cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize("number", sorted(TITLES))
def test_exercise_check_says_not_done_then_done(number):
    before = check(number, "fr")
    assert before.returncode == 1, f"exercise {number} passes before it is done:\n{before.stdout}{before.stderr}"
    assert "PAS ENCORE FAIT" in before.stdout and "✘" in before.stdout, f"no reason given:\n{before.stdout}{before.stderr}"
    try:
        solution = subprocess.run(["sh", f"exercises/solutions/{number}.sh"], cwd=REPO, capture_output=True, text=True)
        assert solution.returncode == 0, f"the solution of exercise {number} failed:\n{solution.stdout[-2000:]}{solution.stderr[-2000:]}"
        # Some effects take a scrape or two (an alert must go pending, then fire): poll the check.
        after = wait_for(lambda: check(number, "en"), lambda p: p.returncode == 0, 240,
                         f"exercise {number}'s check passing after its solution")
        assert "DONE" in after.stdout
    finally:
        reset(number)
