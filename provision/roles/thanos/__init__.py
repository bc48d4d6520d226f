"""thanos: the global view with the release method (Debian has no Thanos).

Beside each Prometheus, a sidecar serves its recent data over gRPC and uploads its 2-hour blocks to a
filesystem bucket, which a store gateway serves: that history stays readable when the replica's
Prometheus is down. On the node with the thanos role, the querier asks every sidecar and store gateway
and deduplicates on the replica label: its HTTP API (components.thanos.port) is Prometheus' own.
"""

from provision import install, steps
from provision.model import Endpoint
from provision.render import Rendered, at, put

NAME = "thanos"
QUERY = "thanos-query"
SIDECAR = "thanos-sidecar"
STORE = "thanos-store"
BUCKET = "/var/lib/thanos-bucket"  # the sidecar's uploads (group prometheus: the store gateway reads them)
BUCKET_CONFIG = "/etc/thanos/bucket.yml"
STORE_DATA = "/var/lib/thanos-store"


def services(lab, node):
    """(unit, port, listen address): the querier, on the node's lab address."""
    component = lab.components[NAME]
    return [(QUERY, component["port"], node.ip), (QUERY, component["grpc_port"], node.ip)]


def beside_services(lab, node):
    """The sidecar and store gateway beside a Prometheus, when Thanos is the lab's global view."""
    if not lab.thanos_beside(node):
        return []
    component = lab.components[NAME]
    return [(SIDECAR, component["sidecar_port"], node.ip), (SIDECAR, component["sidecar_grpc_port"], node.ip),
            (STORE, component["store_port"], node.ip), (STORE, component["store_grpc_port"], node.ip)]


def _context(lab, node):
    component = lab.components[NAME]
    return {"lab": lab, "node": node, "thanos": component, "program": install.paths(component, lab.install_method)[NAME],
            "replica_label": lab.replica_label, "bucket": BUCKET, "bucket_config": BUCKET_CONFIG, "store_data": STORE_DATA,
            "prometheus_url": f"http://127.0.0.1:{lab.components['prometheus']['port']}",
            "endpoints": [Endpoint(NAME, n, component[key]).address for n in lab.nodes_with("prometheus")
                          for key in ("sidecar_grpc_port", "store_grpc_port")],
            "at": at(services(lab, node) + beside_services(lab, node))}


def files(lab, node):
    return [Rendered(f"/etc/systemd/system/{QUERY}.service", "thanos-query.service.j2", _context(lab, node))]


def beside_files(lab, node):
    if not lab.thanos_beside(node):
        return []
    context = _context(lab, node)
    return [Rendered(BUCKET_CONFIG, "thanos-bucket.yml.j2", context, group="prometheus", mode=0o640),
            Rendered(f"/etc/systemd/system/{SIDECAR}.service", "thanos-sidecar.service.j2", context),
            Rendered(f"/etc/systemd/system/{STORE}.service", "thanos-store.service.j2", context)]


def apply(run, lab, node, cache):
    _, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home="/nonexistent")
    (unit,) = files(lab, node)
    steps.service(run, QUERY, restart=put(run, unit) or new_binary)


def apply_beside(run, lab, node, cache, rendered):
    """Called by the prometheus role once Prometheus runs: the sidecar reads its data directory."""
    _, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home=STORE_DATA)
    steps.directory(run, "/etc/thanos", "root", "prometheus", 0o750)
    steps.directory(run, BUCKET, "prometheus", "prometheus", 0o750)
    steps.directory(run, STORE_DATA, NAME, NAME, 0o750)
    bucket, sidecar, store = rendered
    bucket_changed = put(run, bucket)
    steps.service(run, SIDECAR, restart=put(run, sidecar) or bucket_changed or new_binary)
    steps.service(run, STORE, restart=put(run, store) or bucket_changed or new_binary)
