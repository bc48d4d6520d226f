"""victoriametrics: the global view of replicated Prometheus servers (Debian has it; examples/ha.yaml).

Every Prometheus sends its samples here (remote_write, without the replica label, basic auth); with
-dedup.minScrapeInterval at the scrape interval it keeps one sample per series per interval, so the
replicas' copies count once. Its query API is Prometheus' own: Grafana's default datasource in an HA lab.
"""

from provision import credentials, install, steps
from provision.render import Rendered, at, put

NAME = "victoriametrics"
SERVICE = NAME
DATA = "/var/lib/victoriametrics"
CREDENTIALS = "/etc/victoriametrics/credentials"  # its flags from the environment (-envflag.enable), root only
PROGRAM = "victoria-metrics-prod"


def services(lab, node):
    """(unit, port, listen address): the node's lab address (the replicas and the host reach it there)."""
    return [(SERVICE, lab.components[NAME]["port"], node.ip)]


def files(lab, node):
    component = lab.components[NAME]
    user, password = credentials.remote_write()
    context = {"lab": lab, "node": node, "port": component["port"], "data": DATA, "credentials": CREDENTIALS,
               "program": install.paths(component, lab.install_method)[PROGRAM],
               "retention_hours": lab.retention_hours,
               "dedup": lab.scrape_interval, "at": at(services(lab, node))}
    return [
        Rendered(CREDENTIALS, "", {}, content=f"httpAuth_username={user}\nhttpAuth_password={password}\n", mode=0o600, secret=True),
        Rendered(f"/etc/systemd/system/{SERVICE}.service", "victoriametrics.service.j2", context),
    ]


def apply(run, lab, node, cache):
    programs, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home=DATA)
    steps.directory(run, "/etc/victoriametrics", "root", "root", 0o700)
    steps.directory(run, DATA, NAME, NAME, 0o750)
    secret, unit = files(lab, node)
    changed = put(run, secret) | put(run, unit)  # both read when it starts: it has no reload
    steps.service(run, SERVICE, restart=changed or new_binary)
