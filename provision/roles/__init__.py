"""One folder per role, provision/roles/<role>/; a role installs the component of the same name in lab.yaml.

The folder is the whole role (`contract(role)` reads it; tests/test_roles.py proves each has every part):
- role.yaml, data only: its order, its lab.yaml keys, the server it watches, its dashboard row (provision/catalogue.py);
- __init__.py, its code: `services(lab, node)` (the systemd units it runs, with their port and listen address),
  `files(lab, node)` (what it renders, for `make render`) and `apply(run, lab, node, cache)` (the provisioning steps,
  in order). An exporter of a server adds SERVER_PACKAGE (the server, from Debian), SERVER_PORTS (what that server
  listens on) and LOCKOUT (how the drills lock it out of its server, and the way back); a role keeping a credential in
  a file names it in SECRETS;
- its templates (*.j2), found by the renderer beside the shared ones of templates/.
"""

import importlib
from dataclasses import dataclass, field
from typing import Callable

from provision.catalogue import GLOBAL_VIEWS, ROLES, SSH, dashboard  # noqa: F401 - the catalogue, as roles.<name>
from provision.schema import PORT_KEYS


def module(role):
    return importlib.import_module(f"provision.roles.{role}")


@dataclass(frozen=True)
class Role:
    """What a role module provides."""

    name: str
    services: Callable
    files: Callable
    apply: Callable
    secrets: tuple = ()
    server_package: str = None
    server_ports: dict = field(default_factory=dict)
    dashboard: tuple = None  # (server, up metric, (name, expr, unit) of a level, of a rate)
    lockout: tuple = None  # (command that locks the exporter out, command that undoes it or None)


def contract(role):
    """The role's parts, read from its module; TypeError naming what a module lacks."""
    found = module(role)
    missing = [part for part in ("services", "files", "apply") if not callable(getattr(found, part, None))]
    if missing:
        raise TypeError(f"provision/roles/{role}/__init__.py lacks {', '.join(missing)}")
    return Role(role, found.services, found.files, found.apply, secrets=tuple(getattr(found, "SECRETS", ())),
                server_package=getattr(found, "SERVER_PACKAGE", None), server_ports=dict(getattr(found, "SERVER_PORTS", {})),
                dashboard=dashboard(role), lockout=getattr(found, "LOCKOUT", None))


def listening(lab, node):
    """[(port, what, lab.yaml key or None)]: every port something listens on in the node, sshd's first."""
    found = [SSH]
    for role in node.roles:
        parts = contract(role)
        owners = [role] + (["thanos"] if role == "prometheus" and lab.thanos_beside(node) else [])  # its sidecar, its store
        keys = {lab.components[o][k]: f"components.{o}.{k}" for o in owners for k in PORT_KEYS.get(o, ()) + ("port",)
                if k in lab.components[o]}
        found += [(port, unit, keys.get(port)) for unit, port, _ in parts.services(lab, node)]
        found += [(port, what, None) for port, what in parts.server_ports.items()]
    return found


def units(lab, node, skipped=False):
    """The units `node`'s roles run, each with its port and listen address (with skipped=True also those of roles
    LAB_SKIP_ROLES removed): asked of the role modules, the one place a service and its address are stated."""
    from provision.model import Unit

    roles = node.roles + (node.skipped if skipped else [])
    return [Unit(node.name, unit, port, address, role) for role in roles for unit, port, address in module(role).services(lab, node)]


def unit_names(lab, node):
    """Every systemd unit lab.yaml puts on a node: its roles' units and the servers its exporters watch."""
    return [u.name for u in units(lab, node)] + [lab.components[r]["subject"] for r in node.roles
                                                 if lab.components[r].get("subject")]
