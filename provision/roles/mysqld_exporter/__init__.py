"""mysqld_exporter: MariaDB's health and activity; the role also installs the MariaDB server it watches.

The exporter signs in as the database user 'mysqld_exporter'@'localhost', identified by
MariaDB's unix_socket plugin: only the operating system user mysqld_exporter, over the
local socket, gets in, so no password exists anywhere. It holds SELECT, PROCESS,
BINLOG MONITOR and SLAVE MONITOR (what the exporter reads), with at most 3 connections.
"""

from provision import exporter
from provision.catalogue import SERVERS
from provision.render import Rendered

NAME = "mysqld_exporter"
SERVER_PACKAGE = SERVERS[NAME]  # the server it watches, from the distribution
SERVER_PORTS = {3306: "MariaDB"}  # what the server listens on (127.0.0.1)
# How a drill locks the exporter out of its server, and the way back (None: provisioning repairs it).
LOCKOUT = ("mariadb -e \"DROP USER 'mysqld_exporter'@'localhost'\"", None)
SOCKET = "/run/mysqld/mysqld.sock"
MY_CNF = "/etc/mysqld_exporter/my.cnf"  # how 0.15 and later sign in (Debian 13 has 0.17)
USER = "'mysqld_exporter'@'localhost'"
PRIVILEGES = "SELECT, PROCESS, BINLOG MONITOR, SLAVE MONITOR"
# How MariaDB shows the user once it is as wanted (SHOW GRANTS), and how to make it so.
WANTED = (f"GRANT {PRIVILEGES} ON *.* TO `mysqld_exporter`@`localhost` IDENTIFIED VIA unix_socket "
          "WITH MAX_USER_CONNECTIONS 3")
MAKE = (f"DROP USER IF EXISTS {USER}; CREATE USER {USER} IDENTIFIED VIA unix_socket WITH MAX_USER_CONNECTIONS 3; "
        f"GRANT {PRIVILEGES} ON *.* TO {USER}")


def services(lab, node):
    return exporter.services(lab, node, NAME)


def files(lab, node):
    return [Rendered(MY_CNF, "mysqld_exporter.my.cnf.j2", {"name": NAME, "socket": SOCKET}, group=NAME, mode=0o640),
            exporter.unit(lab, node, NAME, socket=SOCKET, my_cnf=MY_CNF)]


def _sql(run, sql, check=True):
    return run.sh("mariadb", "--protocol=socket", "-S", SOCKET, "-N", "-B", "-e", sql, check=check)


def monitoring_user(run):
    """'mysqld_exporter'@'localhost': unix_socket only, reads what the exporter needs, changes nothing."""
    state = _sql(run, f"SHOW GRANTS FOR {USER}", check=False).stdout.strip()
    if state == WANTED:
        return run.report(False, "database user mysqld_exporter", f"unix_socket only; {PRIVILEGES}")
    if run.check:
        return run.would("database user mysqld_exporter", f"unix_socket only; {PRIVILEGES} (is {state or 'absent'})")
    _sql(run, MAKE)
    return run.report(True, "database user mysqld_exporter", f"unix_socket only; {PRIVILEGES} (was {state or 'absent'})")


def apply(run, lab, node, cache):
    subject = lab.components[NAME]["subject"]
    exporter.server(run, SERVER_PACKAGE, subject, ready=("mariadb-admin", "--protocol=socket", "-S", SOCKET, "ping"))
    exporter.apply(run, lab, node, cache, NAME, files(lab, node), admit=monitoring_user)
