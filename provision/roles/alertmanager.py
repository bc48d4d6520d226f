"""alertmanager: routes Prometheus' alerts to receivers; the lab's own receiver records every notification.

Alertmanager signs its webhook calls with a bearer token made on the node (http_config.authorization,
credentials_file): the receiver records only what carries it. Each reads its own copy of the token,
readable by root and its own group only.
"""

import secrets

from provision import install, steps
from provision.render import Rendered, at, put

NAME = "alertmanager"
SERVICE = NAME
RECEIVER = "alert-receiver"
CONFIG = "/etc/alertmanager/alertmanager.yml"
DATA = "/var/lib/alertmanager"
RECEIVER_DATA = "/var/lib/alert-receiver"
RECEIVER_PROGRAM = "/usr/local/lib/promlab/alert_receiver.py"
TOKEN = "/etc/alertmanager/receiver-token"  # Alertmanager's copy (its credentials_file)
RECEIVER_TOKEN = "/etc/alert-receiver/token"  # the receiver's copy
TOKENS = {TOKEN: NAME, RECEIVER_TOKEN: RECEIVER}  # each copy: readable by root and that service's group only


def services(lab, node):
    """(unit, port, listen address): all on the node's lab address only; the cluster port when there are peers."""
    component = lab.components[NAME]
    found = [(SERVICE, component["port"], node.ip), (RECEIVER, component["receiver_port"], node.ip)]
    return found + ([(SERVICE, component["cluster_port"], node.ip)] if lab.cluster_peers(node) else [])


def files(lab, node):
    component = lab.components[NAME]
    context = {"node": node, "port": component["port"], "receiver_port": component["receiver_port"],
               "programs": install.paths(component, lab.install_method), "receiver_program": RECEIVER_PROGRAM,
               "receiver_data": RECEIVER_DATA, "token": TOKEN, "receiver_token": RECEIVER_TOKEN,
               "cluster_port": component["cluster_port"], "peers": [e.address for e in lab.cluster_peers(node)],
               "at": at(services(lab, node)), "receiver_url": f"http://{at(services(lab, node))[component['receiver_port']]}/alerts"}
    return [
        Rendered(CONFIG, "alertmanager.yml.j2", context, group=NAME, mode=0o640),
        Rendered(f"/etc/systemd/system/{SERVICE}.service", "alertmanager.service.j2", context),
        Rendered(RECEIVER_PROGRAM, "", {}, mode=0o755, source="provision/files/alert_receiver.py"),
        Rendered(f"/etc/systemd/system/{RECEIVER}.service", "alert-receiver.service.j2", context),
    ]


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
    config, unit, program, receiver_unit = files(lab, node)
    amtool = steps.checked_by(run, programs["amtool"], "check-config", target=CONFIG, keeps="Alertmanager")
    config_changed = put(run, config, validate=amtool)
    unit_changed = put(run, unit)
    receiver_changed = put(run, program) | put(run, receiver_unit)
    steps.service(run, RECEIVER, restart=receiver_changed or new_token)
    steps.service(run, SERVICE, restart=unit_changed or new_binary or new_token, reload=config_changed)
