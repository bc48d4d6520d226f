"""The labtests' ids for each selection the fast tests compare (the whole suite, the lanes, what is no lane),
collected once per run (tests/once.py) in one process: pytest.main once per selection, the labtests imported once. On
lab.yaml, as a user's `make labtest` collects them: the LAB_ and PYTEST_ variables of the run left out."""

import json
import os
import subprocess
import sys

from labclient import faults
from provision.paths import REPO
from tests.once import once_per_run

COLLECT = """
import json, sys, pytest
class Selected:
    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]
found = {}
for name, args in json.loads(sys.argv[1]).items():
    selected = Selected()
    code = pytest.main(["labtests", "--collect-only", "-q", "-p", "no:cacheprovider", *args], plugins=[selected])
    if code not in (0, 5):
        sys.exit(f"{name}: pytest exited {code}")
    found[name] = selected.ids
open(sys.argv[2], "w").write(json.dumps(found))
"""


def selections():
    """{name: pytest's arguments}: the whole suite, the lanes together, what is no lane, each lane, the drills that need
    the whole lab and each of their lanes."""
    whole = ["-m", "drill and not lane"]
    return {"all": [], "lane": ["-m", "lane"], "not lane": ["-m", "not lane"],
            **{f"lane {name}": ["-m", "lane", "--lane", name] for name in faults.lanes()},
            "whole lab": whole, **{f"beside {name}": [*whole, "--beside", name] for name in faults.WHOLE_LAB_LANES}}


def selected(tmp_path_factory):
    """{selection: the set of the labtests' ids it collects}, for selections()."""
    return {name: set(ids) for name, ids in in_order(tmp_path_factory).items()}


def in_order(tmp_path_factory):
    """{selection: the labtests' ids it collects, in the order they run}, for selections()."""
    def collect():
        out = tmp_path_factory.mktemp("collected") / "ids.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "PYTEST_"))}
        proc = subprocess.run([sys.executable, "-c", COLLECT, json.dumps(selections()), str(out)], cwd=REPO,
                              capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        return json.loads(out.read_text())

    return once_per_run(tmp_path_factory, "labtests-selections", collect)
