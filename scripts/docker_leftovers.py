"""Remove this lab's orphaned containers before `vagrant up` (docker provider).

An interrupted `vagrant up` can leave a container that Vagrant never recorded in
.vagrant/: it keeps its lab address, and the next `vagrant up` fails on the
conflict. Containers carry the label promlab.root=<this repository>; any such
container whose id is not in .vagrant/machines/*/docker/id is removed.

    python3 scripts/docker_leftovers.py
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def known_ids(dotfile):
    return {p.read_text().strip() for p in Path(dotfile).glob("machines/*/docker/id")}


def orphans(dotfile):
    listed = subprocess.run(["docker", "ps", "-aq", "--no-trunc", "--filter", f"label=promlab.root={REPO}"],
                            capture_output=True, text=True, check=True).stdout.split()
    return [cid for cid in listed if cid not in known_ids(dotfile)]


def main():
    found = orphans(os.environ.get("VAGRANT_DOTFILE_PATH") or REPO / ".vagrant")
    if found:
        subprocess.run(["docker", "rm", "--force", *found], capture_output=True, check=True)
        print(f"promlab: removed {len(found)} container(s) an interrupted `vagrant up` left behind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
