"""The roles a node may hold, found where they live: every folder of provision/roles/ holding a role.yaml is a role.

Its role.yaml is data only: its place in the order (`order`), what it is to the lab (`own`, `global_view`,
`authenticated`), the server it watches (`server`), its row on the Services dashboard (`dashboard`) and its lab.yaml
keys (`keys`, read by provision/schema.py). This module reads them once; the schema, the model and the role modules ask
it. docs/architecture.md, "A role in one folder", shows a role added this way.
"""

import re
import sys
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent / "roles"
SPEC = "role.yaml"
FIELDS = {"order": int, "own": bool, "about": dict, "record": dict, "global_view": bool, "authenticated": bool,
          "server": dict, "dashboard": dict, "keys": dict}
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}", re.ASCII)
SERVER_FIELDS = {"package", "name", "versions"}
DASHBOARD_FIELDS = {"title", "up", "level", "rate"}
PANEL_FIELDS = {"name", "expr", "unit"}


class RoleSpecError(ValueError):
    """A role.yaml that is not what the catalogue reads: its message names the file, the field and what is allowed."""


def _wrong(data):
    """What is wrong with a role.yaml's data, or None."""
    if not isinstance(data, dict):
        return "is not a mapping"
    if "order" not in data:
        return "has no order (a whole number: where the role stands among the others)"
    for name, value in data.items():
        if name not in FIELDS:
            return f"{name}: is an unknown field; allowed: {', '.join(FIELDS)}"
        if not isinstance(value, FIELDS[name]) or (FIELDS[name] is int and isinstance(value, bool)):
            return f"{name}: is not a {FIELDS[name].__name__}"
    if data.get("own") and not all(isinstance(data.get(f), dict) and set(data[f]) == {"en", "fr"} for f in ("about", "record")):
        return "own: a program of promlab's own needs about and record, each with en and fr"
    if "server" in data and (set(data["server"]) != SERVER_FIELDS or not isinstance(data["server"]["versions"], dict)):
        return f"server: needs exactly {', '.join(sorted(SERVER_FIELDS))} (versions: a version per Debian release)"
    dashboard = data.get("dashboard")
    if dashboard is not None and (set(dashboard) != DASHBOARD_FIELDS or any(
            not isinstance(dashboard[p], dict) or set(dashboard[p]) != PANEL_FIELDS for p in ("level", "rate"))):
        return "dashboard: needs title, up, and level and rate each with name, expr and unit"
    return None


def read(folder=FOLDER):
    """{role: its role.yaml's data} for every role folder under `folder`, in their order; RoleSpecError naming the
    file when one is not what a role.yaml holds, or two stand at the same place."""
    found = {}
    for path in sorted(folder.glob(f"*/{SPEC}")):
        where = f"provision/roles/{path.parent.name}/{SPEC}"
        if not ROLE_NAME.fullmatch(path.parent.name):
            raise RoleSpecError(f"{where}: the folder's name is not a role name (lower-case letters, digits and '_')")
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as error:
            raise RoleSpecError(f"{where}: is not YAML ({str(error).splitlines()[0]})") from None
        problem = _wrong(data)
        if problem:
            raise RoleSpecError(f"{where}: {problem}")
        found[path.parent.name] = data
    orders = [data["order"] for data in found.values()]
    twice = sorted({role for role, data in found.items() if orders.count(data["order"]) > 1})
    if twice:
        raise RoleSpecError(f"provision/roles/: {' and '.join(twice)} give the same order; each role its own")
    return dict(sorted(found.items(), key=lambda item: item[1]["order"]))


def refuse(error):
    """A malformed role.yaml stops every command with its one sentence, never a traceback."""
    sys.stderr.write(f"promlab: {error}\n")
    raise SystemExit(2)


try:
    SPECS = read()
except RoleSpecError as error:
    refuse(error)
ROLES = tuple(SPECS)
# Roles that are promlab's own programs (no upstream release, no Debian package): their component holds their settings
# only (their role.yaml gives the whole record).
OWN = tuple(role for role, spec in SPECS.items() if spec.get("own"))
GLOBAL_VIEWS = tuple(role for role, spec in SPECS.items() if spec.get("global_view"))  # merge replicas into one view
SSH = (22, "sshd", None)
# Roles whose HTTP API asks for the lab's credentials (basic auth): a write there (a silence) needs them.
AUTHENTICATED = tuple(role for role, spec in SPECS.items() if spec.get("authenticated"))
# The /proc files lxcfs gives a docker-provider container of its own (host/lxcfs.py mounts them; node_exporter's unit
# lets them through its ProcSubset).
OWN_PROC = ("meminfo", "cpuinfo", "stat", "loadavg", "uptime", "diskstats", "swaps")
# The component keys naming a port besides `port`, per role (the port check names the key): its keys of the type
# service_port.
# The server each exporter of a server watches, as the Debian package its role installs (its unit, components.<role>.
# subject, is one of that package's: named after it).
SERVERS = {role: spec["server"]["package"] for role, spec in SPECS.items() if "server" in spec}
# What each of those packages installs, by Debian release (the node's own: lab.yaml's boxes): (the server's name, its
# version by release), read in each suite's Packages index (dists/<suite>/main/binary-amd64/Packages.xz) on
# 2026-12-06. docs/*/exporters.md state them (tests/test_facts.py); labtests/test_services.py checks a lab's own.
SERVER_VERSIONS = {spec["server"]["package"]: (spec["server"]["name"], spec["server"]["versions"])
                   for spec in SPECS.values() if "server" in spec}
DEBIAN_NUMBERS = {"trixie": "13", "bookworm": "12"}


def dashboard(role):
    """The role's row on the Services dashboard: (server, up metric, (name, expr, unit) of a level, of a rate), or None."""
    row = SPECS[role].get("dashboard")
    panel = ("name", "expr", "unit")
    return (row["title"], row["up"], tuple(row["level"][p] for p in panel), tuple(row["rate"][p] for p in panel)) if row else None


def server_text(package):
    """The server a package installs, for the docs: `PostgreSQL 17 (Debian 13), 15 (Debian 12)`."""
    name, versions = SERVER_VERSIONS[package]
    return f"{name} " + ", ".join(f"{v} (Debian {DEBIAN_NUMBERS[release]})" for release, v in versions.items())
