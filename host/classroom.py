"""The teacher's side of the classroom view: `make classroom` brings up the classroom (its own machine, from
examples/classroom.yaml, in a Vagrant environment of its own: .promlab/classroom/vagrant) and prints each student's
join line; `make classroom-down` removes it. The lab of this checkout, if any, is left as it is.

    python3 -m host.classroom up|lines|down

The roster (components.classroom.roster, roster.txt) is the teacher's file: one student per line, a name or a seat
number. Each join line carries that student's credential, derived from the roster name and the classroom's secret
(provision/roster.py): print them again at any time with `python3 -m host.classroom lines`.
CLASSROOM_FILE: another classroom inventory inside the repository (the tests use their own roster).
"""

import os
import subprocess
import sys

import requests

from provision import credentials, inventory, roster, waiting
from provision.language import language
from provision.paths import REPO
from provision.roles import classroom as role

INVENTORY = "examples/classroom.yaml"
DOTFILE = REPO / ".promlab" / "classroom" / "vagrant"
LOG = REPO / "build" / "classroom-up.log"
READY_WITHIN = 120  # seconds after provisioning for the service and its Prometheus to answer


def environment(env=None):
    """The environment Vagrant runs in for the classroom: its inventory, its own machines' folder."""
    env = dict(os.environ if env is None else env)
    env["LAB_FILE"] = env.get("CLASSROOM_FILE") or INVENTORY
    env["VAGRANT_DOTFILE_PATH"] = str(DOTFILE)
    return env


def load(env=None):
    return inventory.load(REPO / environment(env)["LAB_FILE"])


def node(lab):
    return lab.nodes_with("classroom")[0]


def lines(lab):
    """Each student's join line, in the roster's order."""
    component = lab.components["classroom"]
    url = f"{role.scheme(lab)}://{component['host_address']}:{_host_port(lab, component['reports_port'])}"
    secret = credentials.shared(role.SECRET)
    names = role.students(lab)
    width = max(len(n) for n in names)
    return [f"  {name:<{width}}  make join CLASSROOM={url}    credential: {roster.credential(secret, name)}" for name in names]


def _host_port(lab, guest):
    return next((fp["host"] for fp in node(lab).forwarded_ports if fp["guest"] == guest), guest)


def page(lab):
    return node(lab).host_url(lab.components["classroom"]["port"])


def ready(lab, within=READY_WITHIN):
    """True once the page answers with the grid (the service up, its Prometheus answering)."""
    def grid():
        try:
            reply = requests.get(f"{page(lab)}/api/grid", timeout=3)
        except requests.RequestException as e:
            return f"no answer ({'timed out' if isinstance(e, requests.Timeout) else 'refused or unreachable'})"
        return reply.status_code if reply.status_code == 200 else f"{reply.status_code} {reply.text[:200]}"

    try:
        waiting.until(grid, lambda found: found == 200, within, "the classroom page showing the grid", interval=1)
        return True
    except waiting.TimedOut as e:
        print(f"classroom: {e}", file=sys.stderr)
        return False


def up(env=None):
    lab = load(env)
    role.students(lab)  # the roster and the certificate, checked before a machine is made
    role.tls(lab)
    LOG.parent.mkdir(exist_ok=True)
    print(f"classroom: bringing up {node(lab).name} (Vagrant's output: {LOG.relative_to(REPO)})", flush=True)
    with open(LOG, "w") as log:
        done = subprocess.run(["vagrant", "up", "--provision"], cwd=REPO, env=environment(env), stdout=log,
                              stderr=subprocess.STDOUT)
    if done.returncode:
        print(f"classroom: vagrant up failed; its last lines ({LOG.relative_to(REPO)}):", file=sys.stderr)
        print("".join(LOG.read_text(errors="replace").splitlines(keepends=True)[-15:]), file=sys.stderr)
        return 1
    if not ready(lab):
        return 1
    print(f"classroom: the teacher's page is {page(lab)}/?lang={language()} (this computer only)")
    if lab.nodes_with("grafana"):
        print(f"classroom: Grafana's Classroom dashboard: {node(lab).host_url(lab.components['grafana']['port'])}"
              "/d/promlab-classroom")
    print("Each student runs the make join of their line in their promlab checkout, and types the credential when asked "
          "(make leave stops it):")
    print(*lines(lab), sep="\n")
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


def down(env=None):
    return subprocess.run(["vagrant", "destroy", "--force"], cwd=REPO, env=environment(env)).returncode


def main(argv):
    action = argv[0] if argv else "up"
    actions = {"up": up, "down": down, "lines": lambda: print(*lines(load()), sep="\n") or 0}
    if action not in actions:
        print(f"host.classroom: {action!r} is not an action; allowed: {', '.join(actions)}", file=sys.stderr)
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
