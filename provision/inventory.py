"""Load and validate lab.yaml, the one inventory of the lab.

Used on the host (Vagrantfile, make check/render, tests) and inside the guests. provision/schema.py
holds every key's type and bounds; this module loads the file safely (UTF-8, no aliases, no duplicate
keys, bounded size and depth), checks what involves more than one value (addresses inside the network,
ports on a node, roles across nodes), and builds the Lab. Every problem is reported as
`<field>: <value> <what is wrong>; allowed: <what is>`, all of them at once, before anything boots.

The host's side (the JSON the Vagrantfile reads, the environment the guests see, the secrets synced for them, the
validation command `make check` runs) is host/vagrant.py.
"""

import ipaddress
import os
import stat
from pathlib import Path

import yaml

from provision import model, schema
from provision.catalogue import GLOBAL_VIEWS, ROLES, SERVERS
from provision.model import Node
from provision.paths import GRAFANA_PASSWORD, GUEST_REPO, REPO, SECRETS  # noqa: F401 - inventory.REPO, as the code above asks it
from provision.schema import ARCHES, MAX_NODES, PORT_KEYS, excerpt

MAX_BYTES = 256 * 1024  # lab.yaml is a few KiB: a larger file is refused before it is parsed
MAX_DEPTH = 16  # the schema nests 6 deep


class InventoryError(Exception):
    """lab.yaml is invalid; str() lists every problem, one per line."""

    def __init__(self, source, problems):
        self.problems = problems
        super().__init__(f"{source} is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


def overridden_password(env, path=GRAFANA_PASSWORD):
    """LAB_GRAFANA_PASSWORD from the environment (host), else from the secrets file (guest), else None."""
    if env.get("LAB_GRAFANA_PASSWORD"):
        return env["LAB_GRAFANA_PASSWORD"]
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class _Checker:
    """Collects problems; each names the field, a bounded excerpt of the value and what is allowed."""

    def __init__(self):
        self.problems = []

    def bad(self, where, value, what, allowed):
        self.problems.append(f"{where}: {value if value == '(hidden)' else excerpt(value)} {what}; allowed: {allowed}")


def _check_components(c, components):
    """What the schema cannot see alone: one job per component, the same programs for both methods, and
    replaced units that belong to the package."""
    jobs = {}
    for name, comp in components.items():
        where = f"components.{name}"
        job = comp.get("job")
        if job in jobs:
            c.bad(f"{where}.job", job, f"is also the job of components.{jobs[job]}", "a job name per component")
        elif job:
            jobs[job] = name
        ports = {}
        for key in ("port",) + PORT_KEYS.get(name, ()):
            if key in comp and comp[key] in ports:
                c.bad(f"{where}.{key}", comp[key], f"is also its {ports[comp[key]]}", f"a port of its own for {key}")
            ports.setdefault(comp.get(key), key)
        release, apt = comp.get("release", {}), comp.get("apt", {})
        binaries = release.get("binaries", [])
        carries = "{build}" in str(release.get("url", "")) + str(release.get("checksums", ""))
        if carries and not release.get("build"):
            c.bad(f"{where}.release.url", release.get("url"), "has {build} and release.build is not set",
                  "release.build: the build number of this version's download path")
        elif release.get("build") and not carries:
            c.bad(f"{where}.release.build", release["build"], "is set and neither release.url nor release.checksums has {build}",
                  "{build} in release.url, or no release.build")
        if "binaries" in apt and set(apt["binaries"]) != set(binaries):
            c.bad(f"{where}.apt.binaries", apt["binaries"], "does not name the release's binaries", f"a path for each of {binaries}")
        server, subject = SERVERS.get(name), comp.get("subject")
        base = subject.split("@")[0].removesuffix(".service") if isinstance(subject, str) else None
        if server and base is not None and not (server == base or server.startswith(f"{base}-")):
            c.bad(f"{where}.subject", subject, f"is not a unit of the server the role installs ({server})",
                  f"the unit {server} ships, named after it, such as {server.split('-')[0]}")
        package = apt.get("package")
        for unit in apt.get("replaces", []) if isinstance(package, str) else []:
            if not isinstance(unit, str) or not (unit == f"{package}.service" or unit.startswith(f"{package}-")):
                c.bad(f"{where}.apt.replaces", unit, f"is not a service of the package {package}",
                      f"{package}.service or {package}-<name>.service (promlab masks it to run its own unit)")


def _check_nodes(c, raw_nodes, network, defaults):
    """Addresses inside the network and unique, forwarded host ports unique, the node count capped."""
    names, ips, host_ports, result = {}, {}, {}, []
    if len(raw_nodes) > MAX_NODES:
        memory = sum(n.get("memory") or defaults.get("memory", 512) for n in raw_nodes if isinstance(n, dict))
        c.bad("nodes", f"{len(raw_nodes)} nodes", f"would need {memory / 1024:.0f} GiB of memory on the host",
              f"{MAX_NODES} nodes at most")
        return []
    for i, node in enumerate(raw_nodes):
        name = node.get("name")
        where = f"nodes[{i}] ({name})" if isinstance(name, str) and not schema.control_character(name) else f"nodes[{i}]"
        if name in names:
            c.bad(f"{where}.name", name, f"is used twice (also nodes[{names[name]}])", "a name unique in the lab")
        elif isinstance(name, str):
            names[name] = i
        if node.get("ip") is not None and network is not None:
            _check_address(c, where, node["ip"], network, ips, name)
        for j, fp in enumerate(node.get("forwarded_ports", [])):
            host = fp.get("host")
            if isinstance(host, int) and host in host_ports:
                c.bad(f"{where}.forwarded_ports[{j}].host", host, f"is forwarded twice on the host (also {host_ports[host]})",
                      "each host port once in the lab")
            host_ports.setdefault(host, f"{where}.forwarded_ports[{j}]")
        result.append(Node(name=str(name), ip=str(node.get("ip") or ""), roles=list(node.get("roles", [])),
                           forwarded_ports=list(node.get("forwarded_ports", [])),
                           memory=node.get("memory") or defaults["memory"], cpus=node.get("cpus") or defaults["cpus"]))
    if network is not None and not c.problems:
        _allocate(c, result, network, ips)
    return result


def _check_address(c, where, ip, network, ips, name):
    """A node's given address: a host address of lab.network other than the host's, unique."""
    address = ipaddress.IPv4Address(ip)
    hosts = f"a host address from {network[2]} to {network[-2]}"
    if address not in network or address in (network.network_address, network.broadcast_address):
        c.bad(f"{where}.ip", ip, f"is outside lab.network {network}", hosts)
    elif address == network[1]:
        c.bad(f"{where}.ip", ip, "is the host's address in the lab network", hosts)
    elif str(address) in ips:
        c.bad(f"{where}.ip", ip, f"is used twice (also {ips[str(address)]})", "an address unique in the lab")
    else:
        ips[str(address)] = name


def _allocate(c, nodes, network, ips):
    """Nodes without `ip` get the next free address from the network's 11th on (node1 .11, node2 .12 ...),
    in the order of lab.yaml: adding a node at the end never moves another."""
    first = min(11, network.num_addresses - 2)
    free = (str(a) for i, a in enumerate(network.hosts(), start=1) if i >= max(first, 2) and str(a) not in ips)
    for node in nodes:
        if not node.ip:
            node.ip = next(free, "")
            if not node.ip:
                c.bad(f"nodes ({node.name}).ip", None, f"cannot be allocated: lab.network {network} is full",
                      "a larger lab.network, or fewer nodes")


def _check_roles(c, nodes, method, components):
    """How many nodes may hold each role, and what replicated Prometheus servers need to be one."""
    holders = {role: [n.name for n in nodes if role in n.roles] for role in ROLES}
    if not holders["prometheus"]:
        c.bad("nodes[].roles", [], "gives the prometheus role to no node",
              "one node with roles: [prometheus, ...], or two or more as replicas")
    for single in ("grafana", "blackbox_exporter") + GLOBAL_VIEWS:
        if len(holders[single]) > 1:
            c.bad("nodes[].roles", holders[single], f"gives the {single} role to more than one node", f"at most one node with {single}")
    views = [role for role in GLOBAL_VIEWS if holders[role]]
    if len(views) > 1:
        c.bad("nodes[].roles", views, "gives the lab two global views", "victoriametrics or thanos, not both")
    if len(holders["prometheus"]) > 1 and not views:  # each replica's series would be counted once per replica
        c.bad("nodes[].roles", holders["prometheus"], "gives the prometheus role to several nodes with no global view "
              "to deduplicate them (every target would be counted once per replica)",
              "victoriametrics on one node (either method), or thanos on one node (release method)")
    if holders["thanos"] and method == "apt":
        c.bad("nodes[].roles", holders["thanos"], "gives the thanos role with the apt method: Debian has no Thanos",
              "lab.install_method: release, or victoriametrics (Debian has it) as the global view")
    pins = components.get("thanos", {}).get("release", {}).get("sha256", {})
    if holders["thanos"] and method == "release" and set(pins) != set(ARCHES):
        c.bad("components.thanos.release.sha256", sorted(pins), "lacks a pin for an architecture, and Thanos has no "
              "Debian package to fall back on", "a sha256 for each of amd64 and arm64, from the release's sha256sums.txt")
    alertmanagers = holders["alertmanager"]
    if len(alertmanagers) == 2:  # two members: a partition leaves each alone, and each notifies (at-least-once)
        c.bad("nodes[].roles", alertmanagers, "gives the alertmanager role to two nodes",
              "one node, or three or more (a cluster keeps a majority when one is cut off)")


def _check_ports(c, lab):
    """No two services of one node on the same port, sshd's included (roles.listening says who listens)."""
    from provision import roles

    for node in lab.nodes:
        seen = {}
        for port, what, key in roles.listening(lab, node):
            if port in seen and seen[port] != (what, key):
                first, first_key = seen[port]
                field_, other = (key, first) if key else (first_key or "components", what)
                c.bad(field_, port, f"is also the port of {other} on {node.name}",
                      f"a port no other service of {node.name} uses ({', '.join(f'{p} {w}' for p, (w, _) in sorted(seen.items()))})")
            seen.setdefault(port, (what, key))


def _env_overrides(c, env):
    for name, key in schema.ENVIRONMENT.items():
        if env.get(name) and name not in ("LAB_FILE",):
            key.type.check(c, f"{name} (environment)", env[name])
    skipped = [r.strip() for r in env.get("LAB_SKIP_ROLES", "").split(",") if r.strip()]
    for role in skipped:
        if role == "prometheus":
            c.bad("LAB_SKIP_ROLES (environment)", role, "cannot be skipped: the lab is built around it",
                  ", ".join(r for r in ROLES if r != "prometheus"))
        elif role not in ROLES:
            c.bad("LAB_SKIP_ROLES (environment)", role, "is not a known value", " | ".join(ROLES))
    return env.get("LAB_INSTALL_METHOD"), skipped


def parse(raw, source="lab.yaml", env=None, secrets=None):
    """Validate a loaded inventory and return a Lab, or raise InventoryError naming every problem.
    `secrets`: the file LAB_GRAFANA_PASSWORD reaches the guests in (read when the environment lacks it)."""
    env = os.environ if env is None else env
    c = _Checker()
    checked = schema.SCHEMA.check(c, "", raw)
    method, skipped = _env_overrides(c, env)
    password = overridden_password(env, secrets) if secrets else env.get("LAB_GRAFANA_PASSWORD")
    if password is not None and isinstance(checked.get("components", {}).get("grafana"), dict):
        if not schema.EXTRA["grafana"]["admin_password"].type.wrong(password):
            checked["components"]["grafana"]["admin_password"] = password
        elif env.get("LAB_GRAFANA_PASSWORD") is None:
            c.bad(f"{GRAFANA_PASSWORD.relative_to(REPO)} (from LAB_GRAFANA_PASSWORD)", "(hidden)", "is not a password Grafana may have",
                  schema.EXTRA["grafana"]["admin_password"].type.en)
    if c.problems:
        raise InventoryError(source, c.problems)
    network = ipaddress.IPv4Network(checked["lab"]["network"])
    _check_components(c, checked["components"])
    nodes = _check_nodes(c, checked["nodes"], network, checked["defaults"])
    _check_roles(c, nodes, method or checked["lab"]["install_method"], checked["components"])
    if c.problems:
        raise InventoryError(source, c.problems)
    lab = checked["lab"]
    result = model.Lab(network=lab["network"], install_method=method or lab["install_method"],
                 scrape_interval=lab["scrape_interval"], retention_time=lab["retention_time"],
                 retention_size=lab["retention_size"], alerts=checked["alerts"], boxes=checked["boxes"],
                 components=checked["components"], nodes=nodes, skipped_roles=skipped,
                 libvirt=checked["libvirt"])
    _check_ports(c, result)
    if c.problems:
        raise InventoryError(source, c.problems)
    for node in nodes:
        node.skipped = [r for r in node.roles if r in skipped]
        node.roles = [r for r in node.roles if r not in skipped]
    return result


class _Loader(yaml.SafeLoader):
    """YAML without aliases (an alias bomb expands into gigabytes) and without duplicate keys (the last
    one would win unseen)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"an alias (*{event.anchor}) is not allowed in lab.yaml: "
                                              "write the value out", event.start_mark)
        self.depth = getattr(self, "depth", 0) + 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in keys
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, "a key that is not a plain value", key_node.start_mark) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"the key {excerpt(key)} is given twice", key_node.start_mark)
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def _plain(text, limit=120):
    """One line of at most `limit` characters, control characters escaped."""
    text = "".join(repr(ch)[1:-1] if schema.control_character(ch) else ch for ch in str(text))
    return text if len(text) <= limit else text[:limit] + "..."


def read(path):
    """lab.yaml's data, or InventoryError saying in one sentence why it cannot be read."""
    path = Path(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read forever, a device never end
            raise InventoryError(path, ["is not a regular file; allowed: a YAML file"])
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise InventoryError(path, [f"cannot be read: {e.strerror}"]) from None
    if len(data) > MAX_BYTES:
        raise InventoryError(path, [f"is larger than {MAX_BYTES // 1024} KiB; allowed: an inventory of a few KiB"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InventoryError(path, [f"is not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start}); "
                                    "allowed: a file saved as UTF-8"]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InventoryError(path, [f"is not valid YAML: {where}{_plain(e.problem or e.context)}"]) from None
    except yaml.YAMLError as e:
        raise InventoryError(path, [f"is not valid YAML: {_plain(str(e))}"]) from None
    except (ValueError, OverflowError, RecursionError) as e:  # an integer of thousands of digits, a float Python refuses
        raise InventoryError(path, [f"holds a value Python cannot read ({_plain(str(e), 80)}); allowed: numbers of at most a "
                                    "few digits"]) from None


# An overlay: an inventory that names, in `extends`, the inventory it changes, and holds only what differs from it.
EXTENDS = "extends"
MAX_CHAIN = 4  # overlays of overlays, this many at most: a longer chain is a mistake, a loop surely
EXTENDS_ALLOWED = "the path of the inventory this one changes, relative to this file's folder (examples/*.yaml: ../lab.yaml)"


def merged(base, overlay):
    """The overlay's rules: a mapping in both merges key by key, at every depth; any other value of the overlay (a
    string, a number, a list: `nodes` is replaced whole, never merged entry by entry) replaces the base's. Neither is
    changed."""
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return overlay
    return {**base, **{key: merged(base[key], value) if key in base else value for key, value in overlay.items()}}


def chain(path, read=read):
    """[(path, the file's own data)] from the inventory at `path` to the whole inventory its `extends` lead to, each
    base once and inside the repository (the machines see nothing else); InventoryError in one sentence otherwise.
    `read(path)`: a file's data (the committed text's, for the fast tests)."""
    path = Path(path).resolve()  # REPO is resolved too: a checkout reached through a symlink is inside itself
    found = [(path, read(path))]
    while isinstance(found[-1][1], dict) and EXTENDS in found[-1][1]:
        at, value = found[-1][0], found[-1][1][EXTENDS]
        where = f"{EXTENDS}: {excerpt(value)}"
        if not isinstance(value, str) or not value or value.startswith("/") or schema.control_character(value):
            raise InventoryError(at, [f"{where} is not a relative path; allowed: {EXTENDS_ALLOWED}"])
        base = (at.parent / value).resolve()
        if not base.is_relative_to(REPO):
            raise InventoryError(at, [f"{where} is outside the repository ({excerpt(str(base))}); allowed: {EXTENDS_ALLOWED}, "
                                      "inside the repository (the machines see only it)"])
        if base in [p for p, _ in found]:
            raise InventoryError(at, [f"{where} leads back to {base.relative_to(REPO)}; allowed: {EXTENDS_ALLOWED}, a chain "
                                      "that ends in a whole inventory"])
        if len(found) > MAX_CHAIN:
            raise InventoryError(at, [f"{where} makes a chain of more than {MAX_CHAIN} overlays; allowed: {EXTENDS_ALLOWED}, "
                                      f"at most {MAX_CHAIN} overlays in a row"])
        if not base.is_file():
            raise InventoryError(at, [f"{where} names no file ({base.relative_to(REPO)}); allowed: {EXTENDS_ALLOWED}"])
        found.append((base, read(base)))
    return found


def data(path, read=read):
    """The inventory at `path` as data, with the inventories it extends merged under it (`merged`), `extends` gone."""
    result = None
    for _, own in reversed(chain(path, read)):
        own = {k: v for k, v in own.items() if k != EXTENDS} if isinstance(own, dict) else own
        result = own if result is None else merged(result, own)
    return result


def origin(path, keys, read=read):
    """The file of the chain that sets the value at `keys` (("lab", "scrape_interval"), ("nodes",)): the one to edit to
    change it. The first, from the overlay down, that has it; the whole inventory when none does."""
    found = chain(path, read)
    for at, own in found:
        for key in keys:
            own = own.get(key) if isinstance(own, dict) else None
        if own is not None:
            return at
    return found[-1][0]


def default_path():
    return Path(os.environ.get("LAB_FILE") or REPO / "lab.yaml")


def load(path=None, env=None):
    """Read and validate lab.yaml (or $LAB_FILE); raise InventoryError naming every problem."""
    path = Path(path or default_path())
    return parse(data(path), source=str(path), env=env, secrets=GRAFANA_PASSWORD)
