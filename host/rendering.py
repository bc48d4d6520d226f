"""`make render`: every file the provisioning would install, for every node of lab.yaml, without booting anything.

    python3 -m host.rendering [OUTDIR]   # every node's files under OUTDIR/<node>/<absolute path>
"""

import sys
from pathlib import Path

from provision import inventory, roles


def node_files(lab, node):
    return [item for role in node.roles for item in roles.module(role).files(lab, node)]


def write_tree(lab, outdir):
    """Write every node's rendered files under outdir/<node>/<path>; return the paths written."""
    written = []
    for node in lab.nodes:
        for item in node_files(lab, node):
            target = Path(outdir) / node.name / item.path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.text())
            target.chmod(item.mode)  # a file that holds a secret is not world-readable here either
            written.append(target)
    return written


def main(argv):
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
