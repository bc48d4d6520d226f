"""`make status` (labclient/status.py) on the running lab: every node running, everything up, exit 0."""

import re
import subprocess
import sys

from labtests.lab import LAB
from provision import inventory


def test_status_shows_every_node_running_and_says_everything_is_up():
    proc = subprocess.run([sys.executable, "-m", "labclient.status"], cwd=inventory.REPO, capture_output=True, text=True,
                          timeout=120)
    rows = proc.stdout.split("\n\n")[0].splitlines()[2:]
    shown = {cells[0]: cells[1] for cells in (re.split(r"\s{2,}", row) for row in rows)}
    assert (proc.returncode, shown) == (0, {n.name: "running" for n in LAB.nodes}), proc.stdout[-1500:] + proc.stderr
