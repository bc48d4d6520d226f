"""The roles a node may hold, what merges replicas, and which component keys name a port: the catalogue the schema,
the model and the role modules all read (provision/roles/ holds the roles themselves)."""

ROLES = ("prometheus", "alertmanager", "grafana", "node_exporter", "blackbox_exporter", "postgres_exporter",
         "mysqld_exporter", "nginx_exporter", "redis_exporter", "victoriametrics", "thanos", "classroom")
# Roles that are promlab's own programs (no upstream release, no Debian package): their component holds their settings
# only (provision/schema.py gives each its own record).
OWN = ("classroom",)
GLOBAL_VIEWS = ("victoriametrics", "thanos")  # what merges Prometheus replicas into one deduplicated view
SSH = (22, "sshd", None)
# Roles whose HTTP API asks for the lab's credentials (basic auth): a write there (a silence) needs them.
AUTHENTICATED = ("alertmanager",)
# The /proc files lxcfs gives a docker-provider container of its own (host/lxcfs.py mounts them; node_exporter's unit
# lets them through its ProcSubset).
OWN_PROC = ("meminfo", "cpuinfo", "stat", "loadavg", "uptime", "diskstats", "swaps")
# The component keys naming a port besides `port`, per role (the port check names the key).
PORT_KEYS = {"prometheus": ("datasets_port",), "classroom": ("reports_port",), "alertmanager": ("receiver_port", "cluster_port"),
             "thanos": ("grpc_port", "sidecar_port", "sidecar_grpc_port", "store_port", "store_grpc_port")}
# The server each exporter of a server watches, as the Debian package its role installs (its unit, components.<role>.
# subject, is one of that package's: named after it).
SERVERS = {"postgres_exporter": "postgresql", "mysqld_exporter": "mariadb-server", "nginx_exporter": "nginx-light",
           "redis_exporter": "redis-server"}
# What each of those packages installs, by Debian release (the node's own: lab.yaml's boxes): (the server's name, its
# version by release), read in each suite's Packages index (dists/<suite>/main/binary-amd64/Packages.xz) on
# 2026-12-06. docs/*/exporters.md state them (tests/test_facts.py); labtests/test_services.py checks a lab's own.
SERVER_VERSIONS = {"postgresql": ("PostgreSQL", {"trixie": "17", "bookworm": "15"}),
                   "mariadb-server": ("MariaDB", {"trixie": "11.8", "bookworm": "10.11"}),
                   "nginx-light": ("nginx", {"trixie": "1.26", "bookworm": "1.22"}),
                   "redis-server": ("Redis", {"trixie": "8.0", "bookworm": "7.0"})}
DEBIAN_NUMBERS = {"trixie": "13", "bookworm": "12"}


def server_text(package):
    """The server a package installs, for the docs: `PostgreSQL 17 (Debian 13), 15 (Debian 12)`."""
    name, versions = SERVER_VERSIONS[package]
    return f"{name} " + ", ".join(f"{v} (Debian {DEBIAN_NUMBERS[release]})" for release, v in versions.items())
