"""Prometheus' web UI on a Prometheus 3 from Debian, whose packages leave it out (`make prometheus-ui` builds it on the
host from Debian's own source: host/prometheus_ui.py).

Debian's binary still answers the UI's routes (/query, /targets, ...) with /usr/share/prometheus/web/static/react/
index.html when that file exists (its own page saying the UI is not packaged otherwise), and serves --web.user-assets
under /user/: the build's index.html goes there, its scripts, styles and icon under ASSETS (the bundle is built for
/user/). No index.html in ASSETS: Prometheus would take one there for a console and link it from its menu.
"""

import tarfile
from dataclasses import dataclass

from provision import install, steps

INDEX = "/usr/share/prometheus/web/static/react/index.html"
ASSETS = "/usr/local/share/prometheus-ui"


@dataclass(frozen=True)
class Source:
    version: str  # the Prometheus the suite's package installs
    path: str  # the upstream tarball in Debian's pool
    sha256: str
    read: str  # where the hash was read


# Debian suite → the Prometheus 3 its package installs, and the source its UI is built from.
SOURCES = {
    "forky": Source("3.5.3", "pool/main/p/prometheus/prometheus_3.5.3+ds1.orig.tar.xz",
                    "271a91b47e6ff9e507bf94e8c9eb76005ff24afd07a713bd1345a4b98e3add1c",
                    "forky's Sources index (dists/forky/main/source/Sources.xz, package prometheus 3.5.3+ds1-6), "
                    "2026-12-06"),
}


def source(lab):
    """The Source of this lab's Prometheus when it is one of these Debian packages without a UI, else None."""
    if install.method_for(lab.components["prometheus"], lab.install_method) != "apt":
        return None
    return SOURCES.get(lab.components["prometheus"]["apt"].get("suite"))


def bundle_name(version):
    return f"prometheus-ui-{version}.tar.gz"


def apply(run, lab, programs, cache):
    """Install the built UI of the Prometheus this node runs (from the cache), or say it is not built."""
    wanted = source(lab)
    if wanted is None:
        return False
    version = install.installed_version(run, run.path(programs["prometheus"])) or wanted.version
    path = run.path(cache) / bundle_name(version)
    if not path.is_file():
        return run.report(False, "web UI", f"not built for Prometheus {version} (Debian's package has none): its HTTP "
                                           "API is whole; `make prometheus-ui` on the host builds the UI")
    with tarfile.open(path) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    changed = steps.file(run, INDEX, files.pop("index.html"))
    changed |= steps.directory(run, ASSETS)
    for name, content in sorted(files.items()):
        changed |= steps.file(run, f"{ASSETS}/{name}", content)
    changed |= steps.only_files(run, f"{ASSETS}/assets", {n.split("/", 1)[1] for n in files if n.startswith("assets/")})
    return changed


def served(lab):
    """The flag that serves the assets, for the unit: empty when this lab's Prometheus has its UI."""
    return f"--web.user-assets={ASSETS}" if source(lab) else ""

