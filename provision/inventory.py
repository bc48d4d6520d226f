"""Load and validate lab.yaml, the one inventory of the lab.

Used on the host (Vagrantfile, make check/render, tests) and inside the guests.
Every problem is reported as `<field>: <value> <what is wrong>; allowed: <what is>`,
all of them at once, before anything boots.

    python3 -m provision.inventory [--json] [lab.yaml]
"""

import ipaddress
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from provision import lxcfs
from provision.roles import ROLES

REPO = Path(__file__).resolve().parent.parent
METHODS = ("release", "apt")
ARCHES = ("amd64", "arm64")
PROVIDERS = ("virtualbox", "libvirt", "docker")
DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
SIZE = re.compile(r"^\d+(B|KB|MB|GB|TB)$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

# What the provisioning inside the guests reads from the host's environment (LAB_FILE too, see guest_env).
PROVISION_ENV = ("LAB_INSTALL_METHOD", "LAB_SKIP_ROLES", "LAB_CACHE", "LAB_GRAFANA_PASSWORD", "LAB_APT_PROXY")
GUEST_REPO = "/vagrant"

TOP_KEYS = {"lab", "alerts", "defaults", "boxes", "components", "nodes"}
ALERT_KEYS = {"instance_down_for", "memory_available_below", "cpu_busy_above", "disk_available_below"}
LAB_KEYS = {"network", "install_method", "scrape_interval", "retention_time", "retention_size"}
DEFAULT_KEYS = {"memory", "cpus"}
COMPONENT_KEYS = {"version", "port", "job", "subject", "subject_up", "probe", "release", "apt"}
EXTRA_KEYS = {"grafana": {"admin_user", "admin_password", "anonymous", "datasource_uid"}, "alertmanager": {"receiver_port"}}
RELEASE_KEYS = {"url", "sha256", "binaries", "tree"}
APT_KEYS = {"package", "binaries", "replaces", "repository"}
REPOSITORY_KEYS = {"url", "suite", "component", "key_url", "key_fingerprint"}
NODE_KEYS = {"name", "ip", "roles", "forwarded_ports", "memory", "cpus"}
PORT_KEYS = {"guest", "host"}


UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(duration):
    """A Prometheus duration (15s, 1h30m, 500ms) in seconds."""
    return sum(int(n) * UNIT_SECONDS[u] for n, u in re.findall(r"(\d+)(ms|y|w|d|h|m|s)", duration))


class InventoryError(Exception):
    """lab.yaml is invalid; str() lists every problem, one per line."""

    def __init__(self, source, problems):
        self.problems = problems
        super().__init__(f"{source} is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Node:
    name: str
    ip: str
    roles: list
    forwarded_ports: list
    memory: int
    cpus: int
    skipped: list = field(default_factory=list)  # roles lab.yaml gives it that LAB_SKIP_ROLES removed


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

    def node(self, name):
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r} in the inventory; nodes: {', '.join(n.name for n in self.nodes)}")

    def nodes_with(self, role):
        return [n for n in self.nodes if role in n.roles]

    @property
    def prometheus_node(self):
        return self.nodes_with("prometheus")[0]

    def exporter_roles(self):
        """Roles whose component is scraped by a Prometheus job (they have a `job`)."""
        return [name for name, c in self.components.items() if c.get("job") and name in ROLES]

    def scrape_jobs(self):
        """[{name, port, targets: [{address, node}]}] for every exporter role in use."""
        jobs = []
        for role in self.exporter_roles():
            component = self.components[role]
            targets = [{"address": f"{n.ip}:{component['port']}", "node": n.name} for n in self.nodes_with(role)]
            if targets:
                jobs.append({"name": component["job"], "role": role, "port": component["port"], "targets": targets})
        return jobs

    def probe_jobs(self):
        """[{name, module, targets: [{address, node}]}]: what blackbox_exporter probes, when a node runs
        it. HTTP: every component's endpoint that has a `probe` path; ICMP: every node; TCP: every
        node's SSH port. The blackbox modules are in templates/blackbox.yml.j2."""
        if not self.nodes_with("blackbox_exporter"):
            return []
        http = [{"address": f"http://{n.ip}:{self.components[r]['port']}{self.components[r]['probe']}", "node": n.name}
                for n in self.nodes for r in n.roles if self.components[r].get("probe")]
        icmp = [{"address": n.ip, "node": n.name} for n in self.nodes]
        tcp = [{"address": f"{n.ip}:22", "node": n.name} for n in self.nodes]
        return [{"name": "blackbox_http", "module": "http_2xx", "targets": http},
                {"name": "blackbox_icmp", "module": "icmp", "targets": icmp},
                {"name": "blackbox_tcp", "module": "tcp_connect", "targets": tcp}]

    def to_json(self, env=None):
        """The checked inventory for the Vagrantfile, with the environment the guests must see and the
        mounts that let a docker container see its own /proc (none where lxcfs does not serve)."""
        return json.dumps(dict(asdict(self), provision_env=guest_env(env), docker_volumes=lxcfs.volumes()), indent=2)


def guest_env(env=None):
    """The environment the provisioning inside the guests must see: LAB_* settings, and LAB_FILE as
    the guests see it (the repository is synced to /vagrant, so the file must lie inside it)."""
    env = os.environ if env is None else env
    found = {k: env[k] for k in PROVISION_ENV if env.get(k)}
    if env.get("LAB_FILE"):
        path = Path(env["LAB_FILE"]).resolve()
        if not path.is_relative_to(REPO):
            raise InventoryError("LAB_FILE", [f"LAB_FILE (environment): {str(path)!r} is outside the repository; "
                                              f"allowed: a file under {REPO} (the guests see it at {GUEST_REPO})"])
        found["LAB_FILE"] = f"{GUEST_REPO}/{path.relative_to(REPO).as_posix()}"
    return found


class _Checker:
    """Collects problems; each check names the field, the value and what is allowed."""

    def __init__(self):
        self.problems = []

    def bad(self, where, value, what, allowed):
        self.problems.append(f"{where}: {value!r} {what}; allowed: {allowed}")

    def mapping(self, where, value, keys, required=()):
        if not isinstance(value, dict):
            self.bad(where, value, "is not a mapping", f"a mapping with keys {', '.join(sorted(keys))}")
            return {}
        for key in value:
            if key not in keys:
                self.bad(f"{where}.{key}", value[key], "is an unknown key", ", ".join(sorted(keys)))
        for key in required:
            if key not in value:
                self.problems.append(f"{where}.{key}: missing; allowed: {', '.join(sorted(keys))}")
        return value

    def choice(self, where, value, allowed):
        if value not in allowed:
            self.bad(where, value, "is not a known value", " | ".join(allowed))

    def duration(self, where, value):
        if not isinstance(value, str) or not value or not DURATION.match(value):
            self.bad(where, value, "is not a duration with a unit", "a number with a unit: 15s, 1m, 7d (units ms s m h d w y)")

    def size(self, where, value):
        if not isinstance(value, str) or not SIZE.match(value):
            self.bad(where, value, "is not a size", "a number with a unit: 512MB, 1GB (B KB MB GB TB)")

    def integer(self, where, value, low, high, what="a whole number"):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.bad(where, value, "is out of range", f"{what} from {low} to {high}")
            return False
        return True

    def port(self, where, value):
        return self.integer(where, value, 1, 65535, "a TCP port")


def _check_lab(c, raw):
    lab = c.mapping("lab", raw.get("lab"), LAB_KEYS, required=sorted(LAB_KEYS))
    network = None
    try:
        network = ipaddress.IPv4Network(str(lab.get("network")), strict=True)
    except ValueError:
        c.bad("lab.network", lab.get("network"), "is not an IPv4 network", "CIDR notation such as 192.168.56.0/24")
    if "install_method" in lab:
        c.choice("lab.install_method", lab["install_method"], METHODS)
    for key in ("scrape_interval", "retention_time"):
        if key in lab:
            c.duration(f"lab.{key}", lab[key])
    if "retention_size" in lab:
        c.size("lab.retention_size", lab["retention_size"])
    return lab, network


def _check_components(c, raw):
    components = c.mapping("components", raw.get("components"), set(ROLES), required=ROLES)
    jobs = {}
    for name, comp in components.items():
        where = f"components.{name}"
        extra = EXTRA_KEYS.get(name, set())
        comp = c.mapping(where, comp, COMPONENT_KEYS | extra, required=("version", "port", "release", "apt", *sorted(extra)))
        for key in ("port", "receiver_port"):
            if key in comp:
                c.port(f"{where}.{key}", comp[key])
        if "job" in comp:
            if not isinstance(comp["job"], str) or not re.match(r"^[a-z][a-z0-9_]*$", comp["job"]) or comp["job"] == "prometheus":
                c.bad(f"{where}.job", comp["job"], "is not a job name of its own",
                      "lower-case letters, digits and '_', not 'prometheus' (Prometheus' own job)")
            elif comp["job"].startswith("blackbox_"):
                c.bad(f"{where}.job", comp["job"], "is a name the blackbox probes use", "a job name not starting with blackbox_")
            elif comp["job"] in jobs:
                c.bad(f"{where}.job", comp["job"], f"is also the job of components.{jobs[comp['job']]}", "a job name per component")
            else:
                jobs[comp["job"]] = name
        if "probe" in comp and not re.match(r"^/[A-Za-z0-9/._-]*$", str(comp["probe"])):
            c.bad(f"{where}.probe", comp["probe"], "is not an HTTP path", "a path such as /metrics or /-/healthy")
        if "version" in comp and not re.match(r"^\d+\.\d+\.\d+$", str(comp["version"])):
            c.bad(f"{where}.version", comp["version"], "is not a release version", "x.y.z")
        release = c.mapping(f"{where}.release", comp.get("release", {}), RELEASE_KEYS, required=("binaries", "sha256", "url"))
        url = release.get("url", "")
        if "url" in release and not (isinstance(url, str) and "{version}" in url and "{arch}" in url):
            c.bad(f"{where}.release.url", url, "lacks {version} or {arch}", "a URL with {version} and {arch} in it")
        # An architecture without a pin installs Debian's package instead (install.method_for).
        sums = c.mapping(f"{where}.release.sha256", release.get("sha256", {}), set(ARCHES))
        for arch, digest in sums.items():
            if not SHA256.match(str(digest)):
                c.bad(f"{where}.release.sha256.{arch}", digest, "is not a sha256", "64 lower-case hex digits")
        if "tree" in release and not re.match(r"^/[a-z0-9/_-]+[a-z0-9]$", str(release["tree"])):
            c.bad(f"{where}.release.tree", release["tree"], "is not an absolute directory", "a path such as /opt/grafana")
        apt = c.mapping(f"{where}.apt", comp.get("apt", {}), APT_KEYS, required=("package", "binaries"))
        if "repository" in apt:
            repo = c.mapping(f"{where}.apt.repository", apt["repository"], REPOSITORY_KEYS, required=sorted(REPOSITORY_KEYS))
            if "key_fingerprint" in repo and not re.match(r"^[0-9A-F]{40}$", str(repo["key_fingerprint"])):
                c.bad(f"{where}.apt.repository.key_fingerprint", repo["key_fingerprint"], "is not an OpenPGP fingerprint",
                      "40 upper-case hex digits")
        binaries = release.get("binaries", [])
        if not isinstance(apt.get("binaries", {}), dict) or set(apt.get("binaries", {})) != set(binaries):
            c.bad(f"{where}.apt.binaries", apt.get("binaries"), "does not name the release's binaries",
                  f"a path for each of {binaries}")
    return components


def _check_grafana(c, grafana):
    where = "components.grafana"
    password = grafana.get("admin_password")
    if "admin_password" in grafana and (not isinstance(password, str) or len(password) < 8 or password == "admin"):
        c.bad(f"{where}.admin_password", "(hidden)", "is too weak or Grafana's default",
              "8 characters or more, not 'admin' (or set LAB_GRAFANA_PASSWORD)")
    if "admin_user" in grafana and not (isinstance(grafana["admin_user"], str) and NAME.match(grafana["admin_user"])):
        c.bad(f"{where}.admin_user", grafana["admin_user"], "is not a user name", "lower-case letters, digits and '-'")
    if "anonymous" in grafana and not isinstance(grafana["anonymous"], bool):
        c.bad(f"{where}.anonymous", grafana["anonymous"], "is not a switch", "true | false")
    if "datasource_uid" in grafana and not re.match(r"^[a-zA-Z0-9_-]{1,40}$", str(grafana["datasource_uid"])):
        c.bad(f"{where}.datasource_uid", grafana["datasource_uid"], "is not a Grafana uid", "1 to 40 letters, digits, '-' or '_'")


def _check_nodes(c, raw, network, defaults):
    nodes = raw.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        c.bad("nodes", nodes, "is not a list of nodes", "a non-empty list of {name, ip, roles}")
        return []
    names, ips, host_ports, result = {}, {}, {}, []
    for i, node in enumerate(nodes):
        name = node.get("name") if isinstance(node, dict) else None
        where = f"nodes[{i}] ({name})" if name is not None else f"nodes[{i}]"
        node = c.mapping(where, node, NODE_KEYS, required=("name", "roles"))
        if "name" in node:
            if not isinstance(name, str) or not NAME.match(name):
                c.bad(f"{where}.name", name, "is not a host name", "lower-case letters, digits and '-', starting with a letter")
            elif name in names:
                c.bad(f"{where}.name", name, f"is used twice (also nodes[{names[name]}])", "a name unique in the lab")
            else:
                names[name] = i
        if "ip" in node:
            _check_address(c, where, node["ip"], network, ips, name)
        roles = node.get("roles", [])
        if not isinstance(roles, list):
            c.bad(f"{where}.roles", roles, "is not a list", f"a list of {', '.join(ROLES)}")
            roles = []
        for role in roles:
            c.choice(f"{where}.roles", role, ROLES)
        if len(set(map(str, roles))) != len(roles):
            c.bad(f"{where}.roles", roles, "names a role twice", "each role once")
        ports = node.get("forwarded_ports", [])
        if not isinstance(ports, list):
            c.bad(f"{where}.forwarded_ports", ports, "is not a list", "[{guest: 9090, host: 9090}]")
            ports = []
        for j, fp in enumerate(ports):
            pwhere = f"{where}.forwarded_ports[{j}]"
            fp = c.mapping(pwhere, fp, PORT_KEYS, required=sorted(PORT_KEYS))
            if "guest" in fp:
                c.port(f"{pwhere}.guest", fp["guest"])
            if "host" in fp and c.port(f"{pwhere}.host", fp["host"]):
                if fp["host"] in host_ports:
                    c.bad(f"{pwhere}.host", fp["host"], f"is forwarded twice on the host (also {host_ports[fp['host']]})",
                          "each host port once in the lab")
                host_ports[fp["host"]] = pwhere
        memory = node.get("memory", defaults.get("memory", 512))
        cpus = node.get("cpus", defaults.get("cpus", 1))
        c.integer(f"{where}.memory", memory, 256, 65536, "MiB")
        c.integer(f"{where}.cpus", cpus, 1, 64, "CPUs")
        result.append(Node(name=str(name), ip=str(node["ip"]) if "ip" in node else "", roles=list(roles),
                           forwarded_ports=list(ports), memory=memory, cpus=cpus))
    if network is not None:
        _allocate(c, result, network, ips)
    return result


def _check_address(c, where, ip, network, ips, name):
    """A node's given address: IPv4, a host address of lab.network other than the host's, unique."""
    try:
        address = ipaddress.IPv4Address(str(ip))
    except ValueError:
        c.bad(f"{where}.ip", ip, "is not an IPv4 address", f"an address inside lab.network {network}")
        return
    if network is not None and (address not in network or address in (network.network_address, network.broadcast_address)):
        c.bad(f"{where}.ip", ip, f"is outside lab.network {network}", f"a host address from {network[2]} to {network[-2]}")
    elif network is not None and address == network[1]:
        c.bad(f"{where}.ip", ip, "is the host's address in the lab network", f"a host address from {network[2]} to {network[-2]}")
    elif str(address) in ips:
        c.bad(f"{where}.ip", ip, f"is used twice (also {ips[str(address)]})", "an address unique in the lab")
    else:
        ips[str(address)] = name


def _allocate(c, nodes, network, ips):
    """Nodes without `ip` get the next free address from the network's 11th on (node1 .11, node2 .12 ...),
    in the order of lab.yaml: adding a node at the end never moves another."""
    free = (str(a) for i, a in enumerate(network.hosts(), start=1) if i >= min(11, network.num_addresses - 2) and str(a) not in ips)
    for node in nodes:
        if not node.ip:
            node.ip = next(free, "")
            if not node.ip:
                c.bad(f"nodes ({node.name}).ip", None, f"cannot be allocated: lab.network {network} is full",
                      "a larger lab.network, or fewer nodes")


def _env_overrides(c, env):
    method = env.get("LAB_INSTALL_METHOD")
    if method:
        c.choice("LAB_INSTALL_METHOD (environment)", method, METHODS)
    proxy = env.get("LAB_APT_PROXY")
    if proxy and not re.match(r"^http://[A-Za-z0-9.-]+(:\d+)?/?$", proxy):
        c.bad("LAB_APT_PROXY (environment)", proxy, "is not an HTTP proxy URL", "http://host:port, e.g. http://192.168.56.1:3142")
    skipped = [r.strip() for r in env.get("LAB_SKIP_ROLES", "").split(",") if r.strip()]
    for role in skipped:
        if role == "prometheus":
            c.bad("LAB_SKIP_ROLES (environment)", role, "cannot be skipped: the lab is built around it",
                  ", ".join(r for r in ROLES if r != "prometheus"))
        else:
            c.choice("LAB_SKIP_ROLES (environment)", role, ROLES)
    return method, skipped


def parse(raw, source="lab.yaml", env=None):
    """Validate a loaded inventory (a dict) and return a Lab, or raise InventoryError."""
    env = os.environ if env is None else env
    c = _Checker()
    c.mapping("(top level)", raw, TOP_KEYS, required=sorted(TOP_KEYS))
    if not isinstance(raw, dict):
        raise InventoryError(source, c.problems)
    lab, network = _check_lab(c, raw)
    alerts = c.mapping("alerts", raw.get("alerts"), ALERT_KEYS, required=sorted(ALERT_KEYS))
    if "instance_down_for" in alerts:
        c.duration("alerts.instance_down_for", alerts["instance_down_for"])
    for key in sorted(ALERT_KEYS - {"instance_down_for"}):
        value = alerts.get(key)
        if key in alerts and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1):
            c.bad(f"alerts.{key}", value, "is not a share", "a number between 0 and 1, such as 0.10")
    defaults = c.mapping("defaults", raw.get("defaults", {}), DEFAULT_KEYS)
    boxes = c.mapping("boxes", raw.get("boxes", {}), set(PROVIDERS), required=PROVIDERS)
    components = _check_components(c, raw)
    password = env.get("LAB_GRAFANA_PASSWORD")
    if password and isinstance(components.get("grafana"), dict):
        components["grafana"] = dict(components["grafana"], admin_password=password)
    if isinstance(components.get("grafana"), dict):
        _check_grafana(c, components["grafana"])
    nodes = _check_nodes(c, raw, network, defaults)
    method, skipped = _env_overrides(c, env)
    prometheus_nodes = [n.name for n in nodes if "prometheus" in n.roles]
    if len(prometheus_nodes) != 1:
        c.bad("nodes[].roles", prometheus_nodes, "does not give the prometheus role to exactly one node",
              "exactly one node with roles: [prometheus, ...]")
    for single in ("alertmanager", "grafana", "blackbox_exporter"):
        holders = [n.name for n in nodes if single in n.roles]
        if len(holders) > 1:
            c.bad("nodes[].roles", holders, f"gives the {single} role to more than one node", f"at most one node with {single}")
    if c.problems:
        raise InventoryError(source, c.problems)
    for node in nodes:
        node.skipped = [r for r in node.roles if r in skipped]
        node.roles = [r for r in node.roles if r not in skipped]
    return Lab(network=lab["network"], install_method=method or lab["install_method"],
               scrape_interval=lab["scrape_interval"], retention_time=lab["retention_time"],
               retention_size=lab["retention_size"], alerts=alerts, boxes=boxes, components=components,
               nodes=nodes, skipped_roles=skipped)


def default_path():
    return Path(os.environ.get("LAB_FILE") or REPO / "lab.yaml")


def load(path=None, env=None):
    """Read and validate lab.yaml (or $LAB_FILE); raise InventoryError naming every problem."""
    path = Path(path or default_path())
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as e:
        raise InventoryError(path, [f"cannot be read: {e.strerror}"]) from None
    except yaml.YAMLError as e:
        raise InventoryError(path, [f"is not valid YAML: {e}"]) from None
    return parse(raw, source=str(path), env=env)


def main(argv):
    as_json = "--json" in argv
    paths = [a for a in argv if not a.startswith("--")]
    try:
        lab = load(paths[0] if paths else None)
    except InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    if as_json:
        try:
            print(lab.to_json())
        except InventoryError as e:
            print(f"promlab: {e}", file=sys.stderr)
            return 2
    else:
        print(f"{default_path() if not paths else paths[0]}: ok, {len(lab.nodes)} nodes, "
              f"install method {lab.install_method}, scrape interval {lab.scrape_interval}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
