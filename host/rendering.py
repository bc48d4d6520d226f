"""`make render`: every file the provisioning would install, for every node of lab.yaml, without booting anything.

    python3 -m host.rendering [OUTDIR]            # every node's files under OUTDIR/<node>/<absolute path>
    python3 -m host.rendering --digests > tests/rendered.sha256   # what every inventory's nodes get, as digests

The digests of lab.yaml's and every example's files are recorded in tests/rendered.sha256, and a fast test renders them
again and compares: a change to the code that must not change what the nodes get (a refactoring) is proven byte for byte;
one that means to change it records new digests, and the file's diff shows which files changed.
"""

import copy
import hashlib
import os
import sys
from pathlib import Path

from provision import credentials, inventory, roles

# The classroom's roster is the teacher's file (roster.txt, never committed): the digests render this sample instead.
SAMPLE_ROSTER = "examples/roster.txt"


def node_files(lab, node):
    return [item for role in node.roles for item in roles.module(role).files(lab, node)]


def _private_dirs(outdir, target):
    """target's folders from outdir down, each created 0700: only the user enters (a secret file in them is not
    reachable by others even for a moment)."""
    outdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    outdir.chmod(0o700)
    for folder in reversed(target.relative_to(outdir).parents[:-1]):
        (outdir / folder).mkdir(mode=0o700, exist_ok=True)


def write_tree(lab, outdir):
    """Write every node's rendered files under outdir/<node>/<path>, in folders only the user enters; a file holding a
    credential 0600 from its creation, the others with the mode they have on the node. The paths written."""
    written, outdir = [], Path(outdir)
    for node in lab.nodes:
        for item in node_files(lab, node):
            target = outdir / node.name / item.path.lstrip("/")
            _private_dirs(outdir, target)
            text = item.text()
            mode = 0o600 if item.private(text) else item.mode
            target.unlink(missing_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(target, mode)  # past the umask
            written.append(target)
    return written


def inventories():
    """lab.yaml and every example inventory, relative to the repository."""
    return ["lab.yaml", *sorted(p.relative_to(inventory.REPO).as_posix() for p in (inventory.REPO / "examples").glob("*.yaml"))]


def digests(raw, source):
    """["<sha256>  <source>:<node><path>"] of every file the nodes of the inventory data `raw` get (no setting from the
    environment; the classroom's roster the sample one), the lab's secrets and identity fixed stand-ins
    (credentials.standing_in): the same in every checkout, what is made of them (a bcrypt hash, the students' hashes)
    too."""
    raw = copy.deepcopy(raw)
    if isinstance(raw.get("components", {}).get("classroom"), dict):
        raw["components"]["classroom"]["roster"] = SAMPLE_ROSTER
    lab = inventory.parse(raw, source=source, env={})
    with credentials.standing_in():
        return [f"{hashlib.sha256(item.text().encode()).hexdigest()}  {source}:{node.name}{item.path}"
                for node in lab.nodes for item in node_files(lab, node)]


def main(argv):
    if argv[:1] == ["--digests"]:
        print("# What the nodes of each inventory get, as digests (python3 -m host.rendering --digests; tests/test_rendered_files.py)")
        for source in inventories():
            print("\n".join(digests(inventory.data(inventory.REPO / source), source)))
        return 0
    outdir = Path(argv[0]) if argv else inventory.REPO / "build" / "rendered"
    try:
        lab = inventory.load()
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    for path in write_tree(lab, outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
