"""One module per role; a role installs the component of the same name in lab.yaml.

Each role module has `services(lab, node)` (the systemd units it runs, with their
port and listen address), `files(lab, node)` (what it renders, for `make render`)
and `apply(run, lab, node, cache)` (the provisioning steps, in order). A role that
installs a server of its own names the ports that server takes in SERVER_PORTS.
"""

import importlib

ROLES = ("prometheus", "alertmanager", "grafana", "node_exporter", "blackbox_exporter", "postgres_exporter",
         "mysqld_exporter", "nginx_exporter", "redis_exporter")
SSH = (22, "sshd", None)


def module(role):
    return importlib.import_module(f"provision.roles.{role}")


def listening(lab, node):
    """[(port, what, lab.yaml key or None)]: every port something listens on in the node, sshd's first."""
    found = [SSH]
    for role in node.roles:
        role_module = module(role)
        component = lab.components[role]
        keys = {component[k]: f"components.{role}.{k}" for k in ("receiver_port", "port") if k in component}
        found += [(port, unit, keys.get(port)) for unit, port, _ in role_module.services(lab, node)]
        found += [(port, what, None) for port, what in getattr(role_module, "SERVER_PORTS", {}).items()]
    return found
