"""The classroom's machine, on the host: its own machine, from examples/classroom.yaml, in a Vagrant environment of
its own (.promlab/classroom/vagrant), brought up and destroyed; where its page is; each student's join line. The lab
of this checkout, if any, is left as it is. `make classroom` (labclient/classroom_teacher.py) brings it up and waits
for its page.

The roster (components.classroom.roster, roster.txt) is the teacher's file: one student per line, a name or a seat
number. Each join line carries that student's credential, derived from the roster name and the classroom's secret
(provision/roster.py).
CLASSROOM_FILE: another classroom inventory inside the repository (the tests use their own roster).
"""

import os
import subprocess
import sys

from provision import credentials, inventory, roster
from provision.paths import REPO
from provision.roles import classroom as role

INVENTORY = "examples/classroom.yaml"
DOTFILE = REPO / ".promlab" / "classroom" / "vagrant"
LOG = REPO / "build" / "classroom-up.log"


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


def up(env=None):
    """`vagrant up --provision` of the classroom's machine, its output in LOG; its exit status (the last lines of LOG
    said when it fails)."""
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
    return done.returncode


def down(env=None):
    return subprocess.run(["vagrant", "destroy", "--force"], cwd=REPO, env=environment(env)).returncode
