"""The teacher's side of the classroom view: `make classroom` brings up the classroom's machine
(host/classroom_machine.py), waits for its page to show the grid, and prints each student's join line; `make
classroom-down` removes it. The lab of this checkout, if any, is left as it is.

    python3 -m labclient.classroom_teacher up|lines|down

Print the join lines again at any time with `python3 -m labclient.classroom_teacher lines`.
"""

import sys

from host import classroom_machine as machine
from labclient import http
from labclient.language import language
from provision import inventory, waiting
from provision.roles import classroom as role

READY_WITHIN = 120  # seconds after provisioning for the service and its Prometheus to answer


def ready(lab, within=READY_WITHIN):
    """True once the page answers with the grid (the service up, its Prometheus answering)."""
    def grid():
        try:
            reply = http.get(f"{machine.page(lab)}/api/grid", timeout=3)
        except http.Unreachable as e:
            return f"no answer ({e.why['en']})"
        return reply.status_code if reply.status_code == 200 else f"{reply.status_code} {reply.text[:200]}"

    try:
        waiting.until(grid, lambda found: found == 200, within, "the classroom page showing the grid", interval=1)
        return True
    except waiting.TimedOut as e:
        print(f"classroom: {e}", file=sys.stderr)
        return False


def up(env=None):
    if machine.up(env):
        return 1
    lab = machine.load(env)
    if not ready(lab):
        return 1
    print(f"classroom: the teacher's page is {machine.page(lab)}/?lang={language()} (this computer only)")
    if lab.nodes_with("grafana"):
        print(f"classroom: Grafana's Classroom dashboard: "
              f"{machine.node(lab).host_url(lab.components['grafana']['port'])}/d/promlab-classroom")
    print("Each student runs the make join of their line in their promlab checkout, and types the credential when asked "
          "(make leave stops it):")
    print(*machine.lines(lab), sep="\n")
    chosen = lab.components["classroom"].get("tls")
    if chosen:
        print(f"(HTTPS with {chosen['certificate']}: if no certificate authority signed it, hand students that file; "
              "they add CLASSROOM_CA=<where they saved it> to make join)")
    else:
        print("(plain HTTP: the reports and their credentials cross the classroom network readable by anyone on it; "
              "components.classroom.tls turns on HTTPS: docs/en/teacher.md)")
    if lab.components["classroom"]["host_address"] == "127.0.0.1":
        print("(127.0.0.1: students on this computer only; in class, set components.classroom.host_address to this "
              "computer's address on the classroom network, then make classroom again)")
    return 0


def main(argv):
    action = argv[0] if argv else "up"
    actions = {"up": up, "down": machine.down, "lines": lambda: print(*machine.lines(machine.load()), sep="\n") or 0}
    if action not in actions:
        print(f"labclient.classroom_teacher: {action!r} is not an action; allowed: {', '.join(actions)}",
              file=sys.stderr)
        return 2
    try:
        return actions[action]()
    except inventory.InventoryError as e:
        print(f"classroom: {e}", file=sys.stderr)
    except role.steps.StepError as e:
        print(f"classroom: {e}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
