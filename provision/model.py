"""The model of the lab: the nodes lab.yaml describes and every question derived from them, answered once.

Who holds a role and where it answers (endpoints), what Prometheus must scrape (targets, its own
included), what blackbox_exporter probes, which units a node runs: the roles, the Vagrantfile (through
`host.vagrant --json`), the labtests, the exercises and the scripts ask here; none of them builds an
address by hand. Nothing assumes one node per server role.
"""

from dataclasses import dataclass, field

from provision.catalogue import AUTHENTICATED, GLOBAL_VIEWS, ROLES, SSH
from provision.schema import seconds

PROMETHEUS_JOB = "prometheus"  # Prometheus' job for itself
PROBE_JOBS = {"blackbox_http": "http_2xx", "blackbox_icmp": "icmp", "blackbox_tcp": "tcp_connect"}
AUTH_PROBE = "http_2xx_auth"  # the blackbox module that signs in to an API asking for the lab's credentials


@dataclass
class Node:
    name: str
    ip: str
    roles: list
    forwarded_ports: list
    memory: int
    cpus: int
    skipped: list = field(default_factory=list)  # roles lab.yaml gives it that LAB_SKIP_ROLES removed

    def host_url(self, port):
        """Where the host reaches a guest port: http://127.0.0.1:<host port> when forwarded, else the lab address."""
        for fp in self.forwarded_ports:
            if fp["guest"] == port:
                return f"http://127.0.0.1:{fp['host']}"
        return f"http://{self.ip}:{port}"


@dataclass(frozen=True)
class Endpoint:
    """Where one node's server of a role answers."""

    role: str
    node: Node
    port: int

    @property
    def address(self):
        """ip:port on the lab network (what the guests use)."""
        return f"{self.node.ip}:{self.port}"

    @property
    def url(self):
        return f"http://{self.address}"

    @property
    def host_url(self):
        """What the host uses: the forwarded port on 127.0.0.1 when there is one."""
        return self.node.host_url(self.port)

    def __hash__(self):
        return hash((self.role, self.node.name, self.port))


@dataclass(frozen=True)
class Target:
    """A target Prometheus must have: its job, the node label, the address scraped."""

    job: str
    node: str
    address: str


@dataclass(frozen=True)
class Unit:
    """A systemd unit a role runs on a node, with its port and listen address."""

    node: str
    name: str  # without .service
    port: int
    address: str
    role: str

    def __str__(self):
        return f"{self.node}-{self.name}"


@dataclass
class Lab:
    network: str
    install_method: str
    scrape_interval: str
    retention_time: str
    retention_size: str
    alerts: dict
    boxes: dict
    components: dict
    nodes: list = field(default_factory=list)
    skipped_roles: list = field(default_factory=list)
    libvirt: dict = field(default_factory=dict)  # the libvirt provider's settings (lab.yaml's libvirt)

    def node(self, name):
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r} in the inventory; nodes: {', '.join(n.name for n in self.nodes)}")

    def nodes_with(self, role, skipped=False):
        """The nodes running `role`; with skipped=True also those where LAB_SKIP_ROLES removed it."""
        return [n for n in self.nodes if role in n.roles or (skipped and role in n.skipped)]

    def endpoints(self, role, key="port"):
        """Every node's server of `role`, at the component's `key` port (port, receiver_port)."""
        return [Endpoint(role, n, self.components[role][key]) for n in self.nodes_with(role)]

    @property
    def prometheus_node(self):
        return self.nodes_with("prometheus")[0]

    @property
    def prometheus(self):
        """The first Prometheus endpoint (the one the host's forwarded port reaches, in the lab's layouts)."""
        return self.endpoints("prometheus")[0]

    @property
    def prometheus_release(self):
        """The Prometheus lab.yaml installs: its version and build (provision/features.py)."""
        from provision import features

        return features.release(self)

    @property
    def datasets(self):
        """Where the exercises' data sets answer (provision/datasets.py): beside the first Prometheus."""
        return Endpoint("prometheus", self.prometheus_node, self.components["prometheus"]["datasets_port"])

    @property
    def interval(self):
        """The scrape interval in seconds."""
        return seconds(self.scrape_interval)

    @property
    def down_for(self):
        """How long a target is down before InstanceDown fires (alerts.instance_down_for), in seconds."""
        return seconds(self.alerts["instance_down_for"])

    @property
    def retention_hours(self):
        """Prometheus' retention time in whole hours (one at least)."""
        return max(1, int(seconds(self.retention_time) // 3600))

    @property
    def replicated(self):
        """Two or more Prometheus servers scraping the same targets."""
        return len(self.nodes_with("prometheus")) > 1

    @property
    def global_view(self):
        """The endpoint that merges the replicas into one deduplicated view (VictoriaMetrics, or Thanos'
        querier), or None."""
        found = [e for role in GLOBAL_VIEWS for e in self.endpoints(role)]
        return found[0] if found else None

    @property
    def replica_label(self):
        """The external label naming each Prometheus replica (dropped from alerts and remote_write), or None
        with one Prometheus and no global view."""
        return self.components["prometheus"]["replica_label"] if self.replicated or self.global_view else None

    def thanos_beside(self, node):
        """True when a Thanos sidecar and store gateway run beside this node's Prometheus."""
        return "prometheus" in node.roles and bool(self.nodes_with("thanos"))

    @property
    def authenticated(self):
        """True when the lab runs an API that asks for the lab's credentials (Alertmanager)."""
        return any(self.nodes_with(role) for role in AUTHENTICATED)

    @property
    def remote_write(self):
        """Where every Prometheus sends its samples (VictoriaMetrics' write endpoint), or None."""
        view = self.global_view
        return f"{view.url}/api/v1/write" if view and view.role == "victoriametrics" else None

    def cluster_peers(self, node):
        """The other Alertmanagers `node`'s Alertmanager gossips with (cluster_port), when there are any."""
        return [e for e in self.endpoints("alertmanager", key="cluster_port") if e.node.name != node.name]

    def server_exporters(self):
        """The roles whose exporter watches a server of its own (their component names a `subject`), in the catalogue's
        order."""
        return [role for role in ROLES if self.components.get(role, {}).get("subject")]

    def exporter_roles(self):
        """Roles whose component is scraped by a Prometheus job (they have a `job`)."""
        return [name for name, c in self.components.items() if c.get("job") and name in ROLES]

    def scrape_jobs(self):
        """[{name, role, port, targets: [{address, node}]}] for every exporter role in use."""
        jobs = []
        for role in self.exporter_roles():
            targets = [{"address": e.address, "node": e.node.name} for e in self.endpoints(role)]
            if targets:
                jobs.append({"name": self.components[role]["job"], "role": role, "port": self.components[role]["port"],
                             "targets": targets, "auth": role in AUTHENTICATED})
        return jobs

    def probe_jobs(self):
        """[{name, module, targets: [{address, node}]}]: what blackbox_exporter probes, when a node runs
        it. HTTP: every component's endpoint that has a `probe` path; ICMP: every node; TCP: every
        node's SSH port. The blackbox modules are in templates/blackbox.yml.j2."""
        if not self.nodes_with("blackbox_exporter"):
            return []
        http = [{"address": Endpoint(r, n, self.components[r]["port"]).url + self.components[r]["probe"], "node": n.name,
                 "module": AUTH_PROBE if r in AUTHENTICATED else None}
                for n in self.nodes for r in n.roles if self.components[r].get("probe")]
        icmp = [{"address": n.ip, "node": n.name, "module": None} for n in self.nodes]
        tcp = [{"address": f"{n.ip}:{SSH[0]}", "node": n.name, "module": None} for n in self.nodes]
        found = {"blackbox_http": http, "blackbox_icmp": icmp, "blackbox_tcp": tcp}
        return [{"name": name, "module": probe, "targets": found[name]} for name, probe in PROBE_JOBS.items()]

    def targets(self):
        """Every target Prometheus scrapes from lab.yaml: itself and each exporter (the blackbox probes: probes())."""
        # One Prometheus scrapes itself; replicas scrape every replica, so that they have the same targets.
        servers = self.endpoints("prometheus")
        found = [Target(PROMETHEUS_JOB, e.node.name, e.address if self.replicated else f"localhost:{e.port}") for e in servers]
        found += [Target(job["name"], t["node"], t["address"]) for job in self.scrape_jobs() for t in job["targets"]]
        return found

    def probes(self):
        """Every blackbox probe lab.yaml implies, as Targets (job, node, what is probed)."""
        return [Target(job["name"], t["node"], t["address"]) for job in self.probe_jobs() for t in job["targets"]]

    def generated_jobs(self):
        """The job names the lab writes into Prometheus' configuration (hand-added jobs have others)."""
        return {PROMETHEUS_JOB} | {j["name"] for j in self.scrape_jobs() + self.probe_jobs()}
