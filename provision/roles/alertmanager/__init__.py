"""alertmanager: routes Prometheus' alerts to receivers; the lab's own receiver records every notification.

Alertmanager signs its webhook calls with a bearer token made on the node (http_config.authorization,
credentials_file): the receiver records only what carries it. Each reads its own copy of the token,
readable by root and its own group only.
"""

import functools
import hashlib
import os
import re
import secrets

from provision import credentials, install, served, steps
from provision.model import Endpoint
from provision.render import Rendered, at, put

NAME = "alertmanager"
SERVICE = NAME
RECEIVER = "alert-receiver"
ROUTE_RECEIVER = "lab-receiver"  # the receiver's name in Alertmanager's routing (what its API says an alert goes to)
CONFIG = "/etc/alertmanager/alertmanager.yml"
DATA = "/var/lib/alertmanager"
RECEIVER_DATA = "/var/lib/alert-receiver"
RECEIVER_PROGRAM = "/usr/local/lib/promlab/alert_receiver.py"
TOKEN = "/etc/alertmanager/receiver-token"  # Alertmanager's copy (its credentials_file)
WEB_CONFIG = "/etc/alertmanager/web.yml"  # its API asks for the lab's credentials (bcrypt hash)
AMTOOL_CONFIG = "/etc/amtool/config.yml"  # amtool on the node signs in without being told
AMTOOL_HTTP = "/etc/amtool/http.yml"
AMTOOL_PASSWORD = "/etc/amtool/alertmanager-password"
BCRYPT = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"  # bcrypt's own base64 alphabet
RECEIVER_TOKEN = "/etc/alert-receiver/token"  # the receiver's copy
TOKENS = {TOKEN: NAME, RECEIVER_TOKEN: RECEIVER}  # each copy: readable by root and that service's group only
GROUP_INTERVAL = 15  # seconds between two notifications of a group that changed (a lab wants them soon)


def peer_timeout(members):
    """Seconds each member of a cluster waits per position before it sends (the first at once, the next after one
    wait, ...) and then looks whether another sent. The last must send before the group's next flush, or it sends a
    state one group_interval old (an alert resolved that fired again since) and the others, seeing that notification,
    send the present state again: the same notification twice. So: the group interval shared among the members."""
    return GROUP_INTERVAL / members


def services(lab, node):
    """(unit, port, listen address): all on the node's lab address only; the cluster port when there are peers."""
    component = lab.components[NAME]
    found = [(SERVICE, component["port"], node.ip), (RECEIVER, component["receiver_port"], node.ip)]
    return found + ([(SERVICE, component["cluster_port"], node.ip)] if lab.cluster_peers(node) else [])


@functools.lru_cache(maxsize=8)
def password_hash(password):
    """The bcrypt hash Alertmanager's web config holds for the lab's password. Its salt comes from the password itself
    (a secret of 32 random bytes, so nothing a table could hold): the same password gives the same file on every run and
    node, and a second provisioning changes nothing. Being the same, it is computed once per process (bcrypt's cost is
    the point of it: 60 ms each)."""
    import bcrypt  # Debian's python3-bcrypt in the guest (installed first), PyPI's on the host

    seed = hashlib.sha256(b"promlab alertmanager salt:" + password.encode()).digest()
    bits = int.from_bytes(seed[:16], "big") << 4  # 128 bits in 22 characters of 6 bits
    salt = "".join(BCRYPT[(bits >> (6 * (21 - i))) & 63] for i in range(22))
    return bcrypt.hashpw(password.encode(), f"$2b$10${salt}".encode()).decode()


def files(lab, node):
    component = lab.components[NAME]
    user, password = credentials.alertmanager()
    context = {"node": node, "port": component["port"], "receiver_port": component["receiver_port"],
               "programs": install.paths(component, lab.install_method), "receiver_program": RECEIVER_PROGRAM,
               "receiver_data": RECEIVER_DATA, "token": TOKEN, "receiver_token": RECEIVER_TOKEN,
               "cluster_port": component["cluster_port"], "peers": [e.address for e in lab.cluster_peers(node)],
               "at": at(services(lab, node)), "receiver_url": f"http://{at(services(lab, node))[component['receiver_port']]}/alerts",
               "web_config": WEB_CONFIG, "route_receiver": ROUTE_RECEIVER, "group_interval": GROUP_INTERVAL,
               "peer_timeout": peer_timeout(len(lab.cluster_peers(node)) + 1)}
    url = Endpoint(NAME, node, component["port"]).url
    return [
        Rendered(CONFIG, "alertmanager.yml.j2", context, group=NAME, mode=0o640),
        Rendered(f"/etc/systemd/system/{SERVICE}.service", "alertmanager.service.j2", context),
        Rendered(RECEIVER_PROGRAM, "", {}, mode=0o755, source="provision/files/alert_receiver.py"),
        served.rendered(),
        Rendered(f"/etc/systemd/system/{RECEIVER}.service", "alert-receiver.service.j2", context),
        Rendered(WEB_CONFIG, "alertmanager-web.yml.j2", {"user": user, "hash": password_hash(password)}, group=NAME, mode=0o640),
        Rendered(AMTOOL_CONFIG, "amtool.yml.j2", {"url": url, "http_config": AMTOOL_HTTP}),
        Rendered(AMTOOL_HTTP, "amtool-http.yml.j2", {"user": user, "password_file": AMTOOL_PASSWORD}),
        Rendered(AMTOOL_PASSWORD, "", {}, content=password + "\n", group="vagrant", mode=0o640, secret=True),
    ]


HEADER = "# Rendered by promlab"  # how a file of ours starts (a user's own amtool configuration does not)
STUDENT = "vagrant"  # the user a student is on the node


def amtool_locations(run, amtool):
    """Where this amtool reads its configuration, as its own help says: upstream's /etc/amtool/config.yml and
    $HOME/.config/amtool/config.yml, or Debian's patched /etc/prometheus/amtool.yml and $HOME/.config/prometheus/amtool.yml."""
    said = run.sh(amtool, "--help", check=False)
    return re.findall(r"(\$HOME/\S+?\.yml|/etc/\S+?\.yml)", said.stdout + said.stderr) or [AMTOOL_CONFIG]


def amtool_for_the_student(run, amtool, config):
    """amtool as the student runs it (user vagrant) signs in: /etc/amtool/config.yml serves an upstream amtool; one that
    reads elsewhere (Debian's, under /etc/prometheus, which the student cannot enter) gets the same file in the student's
    home, written only while it is absent or ours: a configuration of the student's own, and the folders they have, are
    left as they are. True when it changed."""
    found = amtool_locations(run, amtool)
    home = next((p for p in found if p.startswith("$HOME/")), None)
    if AMTOOL_CONFIG in found or home is None or not steps.user_exists(run, STUDENT):
        return False
    path = home.replace("$HOME", f"/home/{STUDENT}")
    target = run.path(path)
    if target.is_file() and not target.read_text(errors="replace").startswith(HEADER):
        return run.report(False, f"file {path}", "the student's own: left as it is")
    missing = [f for f in reversed(target.parents) if str(f).startswith(str(run.path(f"/home/{STUDENT}"))) and not f.is_dir()]
    if missing and not run.check:
        uid, gid = steps.ids(run, STUDENT, STUDENT)
        for folder in missing:
            folder.mkdir(mode=0o755)
            os.chown(folder, uid, gid)
    return steps.file(run, path, config.text(), STUDENT, STUDENT, 0o644)


def token(run):
    """The receiver's bearer token: the one the node has, or a new one the first time; in both copies.
    True when a copy changed (both services then restart: they read it when they start)."""
    current = run.path(TOKEN).read_text().strip() if run.path(TOKEN).is_file() else ""
    value = current if len(current) >= 32 else secrets.token_urlsafe(32)
    steps.directory(run, "/etc/alert-receiver", "root", RECEIVER, 0o750)
    changed = steps.file(run, TOKEN, value + "\n", "root", NAME, 0o640, secret=True)
    return steps.file(run, RECEIVER_TOKEN, value + "\n", "root", RECEIVER, 0o640, secret=True) | changed


def apply(run, lab, node, cache):
    programs, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home=DATA)
    steps.user(run, RECEIVER, home=RECEIVER_DATA)
    steps.directory(run, "/etc/alertmanager", "root", NAME, 0o750)
    steps.directory(run, DATA, NAME, NAME, 0o750)
    steps.directory(run, RECEIVER_DATA, RECEIVER, RECEIVER, 0o750)
    new_token = token(run)
    install.apt_package(run, "python3-bcrypt")  # the web config's password hash
    served.apply(run)  # the receiver's server library
    config, unit, program, bounded, receiver_unit, web, *amtool_files = files(lab, node)
    amtool = steps.checked_by(run, programs["amtool"], "check-config", target=CONFIG, keeps="Alertmanager")
    config_changed = put(run, config, validate=amtool)
    unit_changed = put(run, unit) | put(run, web)  # read when it starts
    steps.directory(run, "/etc/amtool", "root", "root", 0o755)
    for item in amtool_files:  # amtool as the student runs it on the node (user vagrant) signs in
        put(run, item)
    amtool_for_the_student(run, programs["amtool"], amtool_files[0])
    receiver_changed = put(run, program) | put(run, bounded) | put(run, receiver_unit)
    steps.service(run, RECEIVER, restart=receiver_changed or new_token)
    steps.service(run, SERVICE, restart=unit_changed or new_binary or new_token, reload=config_changed)
