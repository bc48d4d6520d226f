"""`make render`: every file the provisioning would install, for every node of lab.yaml, without booting anything.

    python3 -m host.rendering [OUTDIR]   # every node's files under OUTDIR/<node>/<absolute path>
"""

import os
import sys
from pathlib import Path

from provision import inventory, roles


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
