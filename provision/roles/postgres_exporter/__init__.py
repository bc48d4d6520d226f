"""postgres_exporter: PostgreSQL's health and activity; the role also installs the PostgreSQL it watches.

The exporter signs in as the database role `postgres_exporter` (member of pg_monitor,
nothing more) through the local socket with peer authentication: the operating
system user is the credential, so no password exists anywhere.
"""

from provision import exporter
from provision.catalogue import SERVERS

NAME = "postgres_exporter"
SERVER_PACKAGE = SERVERS[NAME]  # the server it watches, from the distribution
SERVER_PORTS = {5432: "PostgreSQL"}  # what the server listens on (127.0.0.1)
# How a drill locks the exporter out of its server, and the way back (None: provisioning repairs it).
LOCKOUT = ("runuser -u postgres -- psql -qc 'ALTER ROLE postgres_exporter NOLOGIN' -c "
           "\"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'postgres_exporter'\"", None)
SOCKET_DIR = "/run/postgresql"


def services(lab, node):
    return exporter.services(lab, node, NAME)


def files(lab, node):
    return [exporter.unit(lab, node, NAME, socket_dir=SOCKET_DIR)]


def _psql(run, sql):
    return run.sh("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-t", "-A", "-c", sql).stdout.strip()


def monitoring_role(run):
    """The database role postgres_exporter: may sign in, member of pg_monitor, no superuser."""
    state = _psql(run, "SELECT concat(rolcanlogin::int, rolsuper::int, pg_has_role(oid, 'pg_monitor', 'member')::int) "
                       "FROM pg_roles WHERE rolname = 'postgres_exporter'")
    if state == "101":
        return run.report(False, "database role postgres_exporter", "signs in, in pg_monitor, not superuser")
    if run.check:
        return run.would("database role postgres_exporter", f"set to sign in, in pg_monitor only (is {state or 'absent'})")
    if not state:
        _psql(run, "CREATE ROLE postgres_exporter LOGIN")
    _psql(run, "ALTER ROLE postgres_exporter LOGIN NOSUPERUSER; GRANT pg_monitor TO postgres_exporter")
    return run.report(True, "database role postgres_exporter", f"set to sign in, in pg_monitor only (was {state or 'absent'})")


def apply(run, lab, node, cache):
    subject = lab.components[NAME]["subject"]
    exporter.server(run, SERVER_PACKAGE, subject, ready=("pg_isready", "-q", "-h", SOCKET_DIR))
    exporter.apply(run, lab, node, cache, NAME, files(lab, node), admit=monitoring_role)
