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
