"""nginx_exporter: nginx's connections and requests; the role also installs the nginx it watches.

nginx publishes its counters (stub_status) on 127.0.0.1 only, on a port of its own:
nothing outside the node reads them, and the exporter needs no credential.
"""

from pathlib import Path

from provision import exporter, steps
from provision.catalogue import SERVERS
from provision.render import Rendered, put

NAME = "nginx_exporter"
SERVER_PACKAGE = SERVERS[NAME]  # the server it watches, from the distribution
STATUS_PORT = 8080
SERVER_PORTS = {80: "nginx", STATUS_PORT: "nginx's status page"}  # what the server listens on
# How a drill locks the exporter out of its server, and the way back (None: provisioning repairs it).
LOCKOUT = ("rm /etc/nginx/conf.d/promlab-status.conf && systemctl reload nginx", None)
STATUS_CONF = "/etc/nginx/conf.d/promlab-status.conf"


def services(lab, node):
    return exporter.services(lab, node, NAME)


def status_url():
    return f"http://127.0.0.1:{STATUS_PORT}/stub_status"


def files(lab, node):
    return [Rendered(STATUS_CONF, "nginx-status.conf.j2", {"port": STATUS_PORT}),
            exporter.unit(lab, node, NAME, status_url=status_url())]


def check_nginx(run):
    """nginx -t must accept a new piece of its configuration before it replaces the old one."""
    def validate(path):
        main = Path(f"{path}.nginx.conf")
        main.write_text(f"events {{}}\nhttp {{ include {path}; }}\n")
        try:
            steps.checked_by(run, "nginx", "-q", "-t", "-c", target=STATUS_CONF, keeps="nginx")(main)
        finally:
            main.unlink()
    return validate


def apply(run, lab, node, cache):
    status, unit = files(lab, node)
    exporter.server(run, SERVER_PACKAGE, lab.components[NAME]["subject"],
                    configure=lambda run: put(run, status, validate=check_nginx(run)),
                    ready=("python3", "-c", f"import urllib.request; urllib.request.urlopen({status_url()!r}, timeout=2)"))
    exporter.apply(run, lab, node, cache, NAME, [unit])
