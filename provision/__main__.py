"""Provision one node: `python3 -m provision [--check] <node>` (run as root inside the guest).

Reads lab.yaml, applies the node's roles in order, prints one line per step
and a summary (`node3: 9 ok, 0 changed`). Exit 1 when a step fails.

--check: change nothing; each step says `ok` or `differs` with what a run would do
(a file: a short diff). Exit 3 when something differs (`make provision CHECK=1`).
"""

import os
import sys

from provision import credentials, install, inventory, roles, steps


def main(argv):
    check = "--check" in argv
    argv = [a for a in argv if a != "--check"]
    if len(argv) != 1:
        print("usage: python3 -m provision [--check] <node>", file=sys.stderr)
        return 2
    try:
        lab = inventory.load()
        node = lab.node(argv[0])
    except (inventory.InventoryError, KeyError) as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    credentials.make_missing = False  # the host made the lab's secrets before provisioning: a guest only reads them
    run = steps.Run(node=node.name, check=check)
    cache = os.environ.get("LAB_CACHE") or str(inventory.REPO / ".cache" / "artifacts")
    for role in node.skipped:
        print(f"{node.name}: skip    role {role}: LAB_SKIP_ROLES names it")
    try:
        install.apt_proxy(run, os.environ.get("LAB_APT_PROXY"))
        for role in node.roles:
            roles.module(role).apply(run, lab, node, cache)
    except steps.StepError as e:
        print(f"{node.name}: FAILED  {e}", file=sys.stderr)
        print(f"{run.summary()}, 1 failed")
        return 1
    print(run.summary())
    return 3 if check and run.counts["changed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
