"""postgres_exporter: PostgreSQL's health and activity; the role also installs the PostgreSQL it watches.

The exporter signs in as the database role `postgres_exporter` (member of pg_monitor,
nothing more) through the local socket with peer authentication: the operating
system user is the credential, so no password exists anywhere.
"""

import time

from provision import install, steps
from provision.render import Rendered, put

NAME = "postgres_exporter"
SERVICE = NAME
SERVER_PACKAGE = "postgresql"
SOCKET_DIR = "/run/postgresql"


def services(lab, node):
    """(unit, port, listen address): only the node's lab address."""
    return [(SERVICE, lab.components[NAME]["port"], node.ip)]


def files(lab, node):
    component = lab.components[NAME]
    context = {"node": node, "port": component["port"], "programs": install.paths(component, lab.install_method),
               "socket_dir": SOCKET_DIR, "subject": component["subject"]}
    return [Rendered(f"/etc/systemd/system/{SERVICE}.service", "postgres_exporter.service.j2", context)]


def _psql(run, sql):
    return run.sh("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-t", "-A", "-c", sql).stdout.strip()


def _wait_accepting(run, timeout=60):
    deadline = time.monotonic() + timeout
    while run.sh("pg_isready", "-q", "-h", SOCKET_DIR, check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise steps.StepError(f"PostgreSQL does not accept connections on {SOCKET_DIR} after {timeout}s")
        time.sleep(0.5)


def monitoring_role(run):
    """The database role postgres_exporter: may sign in, member of pg_monitor, no superuser."""
    state = _psql(run, "SELECT concat(rolcanlogin::int, rolsuper::int, pg_has_role(oid, 'pg_monitor', 'member')::int) "
                       "FROM pg_roles WHERE rolname = 'postgres_exporter'")
    if state == "101":
        return run.report(False, "database role postgres_exporter", "signs in, in pg_monitor, not superuser")
    if not state:
        _psql(run, "CREATE ROLE postgres_exporter LOGIN")
    _psql(run, "ALTER ROLE postgres_exporter LOGIN NOSUPERUSER; GRANT pg_monitor TO postgres_exporter")
    return run.report(True, "database role postgres_exporter", f"set to sign in, in pg_monitor only (was {state or 'absent'})")


def apply(run, lab, node, cache):
    component = lab.components[NAME]
    install.apt_package(run, SERVER_PACKAGE)  # the server it watches, from the distribution
    steps.service(run, component["subject"])
    _wait_accepting(run)
    programs, new_binary = install.install(run, NAME, component, lab.install_method, cache)
    steps.user(run, NAME, home="/nonexistent")
    monitoring_role(run)
    (unit,) = files(lab, node)
    unit_changed = put(run, unit)
    steps.service(run, SERVICE, restart=unit_changed or new_binary)
