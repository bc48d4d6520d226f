"""Cleanups touch only this checkout's lab: `make up`'s sweep of orphaned containers (scripts/docker_leftovers.py)
removes a container labelled with this checkout and its Vagrant environment, and leaves one of another checkout, and
one of this checkout's other environment (the classroom's machines, `make classroom`).

Docker provider only; the planted containers are created (not started) from the lab's own node image and removed
afterwards, whatever happens."""

import os
import subprocess
import sys
import uuid

import pytest

from provision import inventory

REPO = inventory.REPO
pytestmark = pytest.mark.skipif(os.environ.get("VAGRANT_DEFAULT_PROVIDER") != "docker",
                                reason="the sweep of orphaned containers is for the docker provider")


def _create(root, vagrant=REPO / ".vagrant"):
    name = f"promlab-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "create", "--name", name, f"--label=promlab.root={root}", f"--label=promlab.vagrant={vagrant}",
                    "promlab-node:latest", "true"], check=True, capture_output=True)
    return name


def _exists(name):
    return subprocess.run(["docker", "inspect", name], capture_output=True).returncode == 0


def test_the_sweep_removes_this_checkouts_orphan_and_leaves_another_checkouts_container():
    other, mine = _create("/somewhere/else/promlab"), _create(str(REPO))
    classroom = _create(str(REPO), vagrant=REPO / ".promlab" / "classroom" / "vagrant")
    env = {k: v for k, v in os.environ.items() if k != "VAGRANT_DOTFILE_PATH"}
    try:
        swept = subprocess.run([sys.executable, "-m", "scripts.docker_leftovers"], cwd=REPO, capture_output=True,
                               text=True, env=env)
        assert swept.returncode == 0, swept.stderr
        assert _exists(other), "the sweep removed another checkout's container"
        assert _exists(classroom), "the lab's sweep removed a machine of this checkout's classroom"
        assert not _exists(mine), "the sweep left this checkout's orphaned container"
    finally:
        subprocess.run(["docker", "rm", "--force", other, mine, classroom], capture_output=True)
