"""Careless and hostile inventories, each with what its refusal must name: the corpus tests/test_hostile_inventories.py
runs through the validator, `make check` and `vagrant validate`, and `make bench` times (scripts/benchmark.py)."""

import copy
import os
import subprocess

import yaml

from provision import inventory
from tests import pristine

HANG = 60  # seconds: past this a command is taken to hang
LAB = pristine.raw("lab.yaml")
GOOD = pristine.text("lab.yaml")


def changed(*path_value):
    """lab.yaml with values set: changed(("lab", "network"), "10.0.0.0/8", ...)."""
    raw = copy.deepcopy(LAB)
    for path, value in zip(path_value[::2], path_value[1::2]):
        target = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return yaml.safe_dump(raw, allow_unicode=True)


def many_nodes(count):
    raw = copy.deepcopy(LAB)
    raw["lab"]["network"] = "10.20.0.0/16"
    raw["nodes"] = [dict(raw["nodes"][0], ip="10.20.0.11")] + [
        {"name": f"n{i}", "roles": ["node_exporter"]} for i in range(2, count + 1)]
    return yaml.safe_dump(raw)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)) + GOOD
NEXUS = "components:\n  prometheus:\n    version: 1\n"
PROM = ("components", "prometheus")
GRAFANA = ("components", "grafana")

# (id, the file's bytes or text, what the refusal must name)
CORPUS = [
    # The file itself
    ("alias-bomb", BOMB, "an alias (*a) is not allowed"),
    ("merge-key-alias", "x: &base {memory: 512}\n" + GOOD.replace("defaults:\n", "defaults:\n  <<: *base\n", 1), "alias"),
    ("not-utf8", GOOD.replace("promlab-workshop", "promlab-workshop").encode().replace(b"workshop", b"worksh\xe9p"),
     "is not UTF-8 text"),
    ("duplicate-key", GOOD.replace("  network: 192.168.56.0/24\n", "  network: 192.168.56.0/24\n  network: 10.0.0.0/24\n", 1),
     "the key 'network' is given twice"),
    ("nested-too-deep", GOOD + "extra: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
    ("python-object-tag", GOOD + "extra: !!python/object/apply:os.system [id]\n", "is not valid YAML"),
    ("oversized", "#" * (300 * 1024) + "\n" + GOOD, "is larger than 256 KiB"),
    ("empty-file", "", "(top level): None is not a mapping"),
    ("a-list-at-the-top", "- lab\n- nodes\n", "(top level): ['lab', 'nodes'] is not a mapping"),
    ("tab-indentation", GOOD.replace("  network:", "\tnetwork:", 1), "is not valid YAML: line"),
    # An overlay's `extends` (these files lie outside the repository: a relative path from them leaves it too)
    ("extends-a-number", "extends: 42\n", "extends: 42 is not a relative path"),
    ("extends-an-absolute-path", "extends: /etc/passwd\n", "extends: '/etc/passwd' is not a relative path"),
    ("extends-out-of-the-repository", "extends: ../../../../../../../../etc/passwd\n", "is outside the repository"),
    # Bounds
    ("scrape-every-millisecond", changed(("lab", "scrape_interval"), "1ms"), "lab.scrape_interval: '1ms' is out of range"),
    ("scrape-interval-zero", changed(("lab", "scrape_interval"), "0s"), "lab.scrape_interval: '0s' is out of range"),
    ("scrape-interval-an-hour", changed(("lab", "scrape_interval"), "1h"), "lab.scrape_interval: '1h' is out of range"),
    ("retention-a-millisecond", changed(("lab", "retention_time"), "1ms"), "lab.retention_time: '1ms' is out of range"),
    ("retention-one-byte", changed(("lab", "retention_size"), "1B"), "lab.retention_size: '1B' is out of range"),
    ("retention-size-overflow", changed(("lab", "retention_size"), "99999999999999TB"), "lab.retention_size: "),
    ("network-a-slash-8", changed(("lab", "network"), "10.0.0.0/8"), "lab.network: '10.0.0.0/8' is not a prefix from /16 to /29"),
    ("network-a-slash-31", changed(("lab", "network"), "192.168.56.0/31"), "lab.network: '192.168.56.0/31' is not a prefix"),
    ("network-public", changed(("lab", "network"), "8.8.8.0/24"), "lab.network: '8.8.8.0/24' is not a private network"),
    ("three-hundred-nodes", many_nodes(300), "nodes: '300 nodes' would need 150 GiB of memory"),
    ("exporter-on-sshd-port", changed(("components", "node_exporter", "port"), 22),
     "components.node_exporter.port: 22 is out of range; allowed: an unprivileged TCP port"),
    ("prometheus-on-port-80", changed(("components", "prometheus", "port"), 80),
     "components.prometheus.port: 80 is out of range; allowed: an unprivileged TCP port"),
    ("two-exporters-one-port", changed(("components", "postgres_exporter", "port"), 9100), "is also the port of"),
    ("exporter-on-postgres-port", changed(("components", "postgres_exporter", "port"), 5432),
     "components.postgres_exporter.port: 5432 is also the port of PostgreSQL"),
    ("forwarded-privileged-port", changed(("nodes", 0, "forwarded_ports"), [{"guest": 9090, "host": 80}]),
     "nodes[0] (node1).forwarded_ports[0].host: 80 is out of range"),
    ("memory-a-terabyte", changed(("defaults", "memory"), 10**12), "defaults.memory: 1000000000000 is out of range"),
    ("cpus-a-switch", changed(("defaults", "cpus"), True), "defaults.cpus: True is not a whole number"),
    ("ip-as-a-number", changed(("nodes", 1, "ip"), 3232249868), "nodes[1] (node2).ip: 3232249868 is not an IPv4 address"),
    ("role-twice", changed(("nodes", 1, "roles"), ["node_exporter", "node_exporter"]), "nodes[1] (node2).roles: "),
    # Formats matched in full
    ("version-with-a-newline", changed((*PROM, "version"), "3.4.1\n"), "components.prometheus.version: '3.4.1\\n' holds a control"),
    ("sha256-upper-case", changed((*PROM, "release", "sha256", "amd64"), "A" * 64), "components.prometheus.release.sha256.amd64:"),
    ("sha256-with-a-newline", changed((*PROM, "release", "sha256", "amd64"), "a" * 64 + "\n"),
     "components.prometheus.release.sha256.amd64:"),
    ("fingerprint-lower-case", changed((*GRAFANA, "apt", "repository", "key_fingerprint"), "b" * 40),
     "components.grafana.apt.repository.key_fingerprint: "),
    ("job-with-a-newline", changed(("components", "node_exporter", "job"), "node\nmalicious"), "components.node_exporter.job: "),
    ("probe-with-a-space", changed(("components", "node_exporter", "probe"), "/metrics extra"), "components.node_exporter.probe: "),
    ("metric-name-with-a-brace", changed(("components", "postgres_exporter", "subject_up"), "pg_up{x}"),
     "components.postgres_exporter.subject_up: "),
    # URLs
    ("url-index-placeholder", changed((*PROM, "release", "url"), "https://example.org/{0}/{version}/{arch}.tgz"),
     "components.prometheus.release.url: 'https://example.org/{0}/{version}/{arch}.tgz' has a placeholder other than"),
    ("url-attribute-placeholder", changed((*PROM, "release", "url"), "https://example.org/{version.__class__}/{arch}"),
     "components.prometheus.release.url: "),
    ("url-plain-http", changed((*PROM, "release", "url"), "http://example.org/{version}/{arch}.tgz"), "is not an https URL"),
    ("url-with-a-newline", changed((*GRAFANA, "apt", "repository", "url"), "https://apt.grafana.com\nTrusted: yes"),
     "components.grafana.apt.repository.url: 'https://apt.grafana.com\\nTrusted: yes' holds a control character"),
    # Paths and names
    ("tree-is-usr", changed((*GRAFANA, "release", "tree"), "/usr"), "components.grafana.release.tree: '/usr' is not a folder directly"),
    ("program-path-with-a-newline", changed((*PROM, "apt", "binaries"), {"prometheus": "/usr/bin/prometheus\nExecStartPre=+/bin/sh",
                                                                         "promtool": "/usr/bin/promtool"}),
     "components.prometheus.apt.binaries.prometheus: "),
    ("program-path-relative", changed((*PROM, "apt", "binaries"), {"prometheus": "bin/prometheus", "promtool": "/usr/bin/promtool"}),
     "is not an absolute program path"),
    ("program-path-climbing", changed((*PROM, "apt", "binaries"), {"prometheus": "/usr/../etc/shadow", "promtool": "/usr/bin/promtool"}),
     "is not an absolute program path"),
    ("node-name-with-a-newline", changed(("nodes", 1, "name"), "node2\n"), "nodes[1].name: 'node2\\n' holds a control character"),
    ("bidi-override-in-a-name", changed((*GRAFANA, "admin_user"), "admin\u202e"), "components.grafana.admin_user: "),
    ("control-character-in-a-key", changed(("lab", "net\x1b[2Jwork"), "x"), "lab.'net\\x1b[2Jwork': "),
    ("a-long-unknown-value", changed(("lab", "notes"), "x" * 100_000), "lab.notes: 'xxxxxxxxxxxxxxxxxxxxx"),
    ("docker-folder-a-command", changed(("boxes", "docker"), "docker; touch /tmp/promlab-pwned"), "boxes.docker: "),
    ("docker-folder-outside", changed(("boxes", "docker"), "../elsewhere"), "boxes.docker: '../elsewhere' is not a folder"),
    # Injections into configuration files and units
    ("password-adding-an-ini-section", changed((*GRAFANA, "admin_password"), "x\n[auth.anonymous]\nenabled = true"),
     "components.grafana.admin_password: (hidden) holds a control character"),
    ("replacing-sshd", changed((*PROM, "apt", "replaces"), ["ssh.service"]),
     "components.prometheus.apt.replaces: 'ssh.service' is not a service of the package prometheus"),
    ("replacing-a-unit-of-another-package", changed(("components", "node_exporter", "apt", "replaces"), ["systemd-journald.service"]),
     "is not a service of the package"),
]


def write(tmp, name, content):
    """The inventory `content` (text or bytes) as tmp/<name>.yaml; its path."""
    path = tmp / f"{name}.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def run(command, path, dot):
    """(exit code, what it said) of `command` with LAB_FILE=path; (None, why) when it hangs."""
    env = dict(os.environ, LAB_FILE=str(path), VAGRANT_DOTFILE_PATH=str(dot))
    env.pop("LAB_GRAFANA_PASSWORD", None)
    try:
        proc = subprocess.run(command, cwd=inventory.REPO, env=env, capture_output=True, text=True, timeout=HANG)
    except subprocess.TimeoutExpired:
        return None, f"no answer within {HANG} s"
    return proc.returncode, proc.stdout + proc.stderr


COMMANDS = {
    "validator": lambda python: [python, "-m", "host.vagrant"],
    "make-check": lambda python: ["make", "--no-print-directory", "check"],
    "vagrant-validate": lambda python: ["vagrant", "validate"],
}
