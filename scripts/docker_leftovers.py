"""Remove this lab's orphaned containers before `vagrant up` (docker provider).

An interrupted `vagrant up` can leave a container that Vagrant never recorded in
.vagrant/: it keeps its lab address, and the next `vagrant up` fails on the
conflict. Containers carry the labels promlab.root=<this repository> and promlab.vagrant=<the Vagrant environment's
folder, .vagrant or $VAGRANT_DOTFILE_PATH>; any such container whose id is not in <folder>/machines/*/docker/id is
removed.

Another checkout's containers are never touched; when one holds a host port this lab
forwards (even stopped, docker keeps its binding and Vagrant refuses the port), this
says which and how to free it, and fails before `vagrant up` does.

    python3 -m scripts.docker_leftovers
"""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def known_ids(dotfile):
    return {p.read_text().strip() for p in Path(dotfile).glob("machines/*/docker/id")}


def orphans(dotfile):
    """This Vagrant environment's containers it does not know (the label promlab.vagrant names the environment's
    folder: the classroom's machines, in a folder of their own, are never the lab's orphans)."""
    listed = subprocess.run(["docker", "ps", "-aq", "--no-trunc", "--filter", f"label=promlab.root={REPO}",
                             "--filter", f"label=promlab.vagrant={Path(dotfile).resolve()}"],
                            capture_output=True, text=True, check=True).stdout.split()
    return [cid for cid in listed if cid not in known_ids(dotfile)]


def bound_ports(ports):
    """The host ports in a `docker ps` Ports column: '127.0.0.1:9090->9090/tcp, ...' -> {9090, ...}."""
    return {int(m) for m in re.findall(r":(\d+)->", ports)}


def holders(host_ports):
    """[(host port, container name, its checkout, its state)] for other checkouts' containers holding one."""
    listed = subprocess.run(["docker", "ps", "-a", "--filter", "label=promlab.root",
                             "--format", '{{.Names}}\t{{.Label "promlab.root"}}\t{{.State}}\t{{.Ports}}'],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    found = []
    for line in listed:
        name, root, state, ports = (line.split("\t") + ["", "", ""])[:4]
        if root != str(REPO):
            found += [(port, name, root, state) for port in sorted(bound_ports(ports) & set(host_ports))]
    return found


def main():
    from provision import inventory

    found = orphans(os.environ.get("VAGRANT_DOTFILE_PATH") or REPO / ".vagrant")
    if found:
        subprocess.run(["docker", "rm", "--force", *found], capture_output=True, check=True)
        print(f"promlab: removed {len(found)} container(s) an interrupted `vagrant up` left behind")
    try:
        lab = inventory.load()
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    held = holders([fp["host"] for node in lab.nodes for fp in node.forwarded_ports])
    for port, name, root, state in held:
        print(f"promlab: host port {port} is held by the container {name} of another checkout ({root}, {state}); "
              f"stop that lab (`make down` in {root}) or, if that checkout is gone, `docker rm {name}`", file=sys.stderr)
    return 2 if held else 0


if __name__ == "__main__":
    sys.exit(main())
