"""One module per role; a role installs the component of the same name in lab.yaml.

Each role module has `services(lab, node)` (the systemd units it runs, with their
port and listen address), `files(lab, node)` (what it renders, for `make render`)
and `apply(run, lab, node, cache)` (the provisioning steps, in order).
"""

import importlib

ROLES = ("prometheus", "alertmanager", "grafana", "node_exporter", "blackbox_exporter", "postgres_exporter",
         "mysqld_exporter", "nginx_exporter", "redis_exporter")


def module(role):
    return importlib.import_module(f"provision.roles.{role}")
