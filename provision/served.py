"""What promlab's own services in the guests (the alert receiver, the classroom service) run on: served.py
(provision/files/, installed beside their programs) and Debian's python3-tornado, the server library it uses."""

from provision import install, steps
from provision.render import Rendered

PACKAGE = "python3-tornado"
PROGRAM = "/usr/local/lib/promlab/served.py"
FORMER = "/usr/local/lib/promlab/bounded_server.py"  # what served before it (a thread pool of the standard library)


def rendered():
    """served.py as installed on the node."""
    return Rendered(PROGRAM, "", {}, mode=0o644, source="provision/files/served.py")


def apply(run):
    """Tornado, before a service that imports it (re)starts; the former server gone."""
    install.apt_package(run, PACKAGE)
    steps.gone(run, FORMER, "the services run on served.py")
