"""The lab at a glance: nodes, their services, Prometheus' targets, the URLs to open.

    python3 -m labclient.status        (make status; make up ends with it)

Asks Vagrant once for the ssh-config of every node (when every machine runs, that is the whole of Vagrant's view
needed: the providers are in its records; otherwise its status says which run), asks each running node for its
services (one SSH connection per node, all at once) and Prometheus for its targets.
Exit 0 when every node runs, every service is active and every target is up.
"""

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from labclient import identity, ssh
from labclient.green import urls
from labclient.lab import loaded
from labclient.language import language
from labclient.prom import Prometheus, QueryRefused, Unreachable, parse_time
from labclient.say import said
from labclient.ssh import machines
from provision import inventory, roles

STATES = {"running": "démarré", "not created": "pas créé", "stopped": "arrêté", "poweroff": "éteint"}


class NotOurs(Exception):
    """The Prometheus on the forwarded port is another lab's (labclient/identity.py)."""


def table(headers, rows):
    """Rows as aligned columns under their headers."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    line = lambda values: "  ".join(str(v).ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line("-" * w for w in widths), *map(line, rows)])


def machines_and_config(names, folder):
    """({node: (state, provider)}, ssh-config file of the running ones or None). One Vagrant call when every machine
    runs: its ssh-config; Vagrant's status, then an ssh-config of the running ones, when some do not."""
    try:
        config = ssh.write_config(f"{folder}/ssh_config", names)
        recorded = ssh.recorded_providers()
        return {name: ("running", recorded.get(name, "-")) for name in names}, config
    except ssh.NotUp as e:
        states = e.states or machines()
    running = [name for name in names if states.get(name, ("",))[0] == "running"]
    try:
        return states, ssh.write_config(f"{folder}/ssh_config", running) if running else None
    except ssh.NotUp:  # one stopped in between: its services show as unreachable
        return states, None


def service_states(running, config):
    """{node: {unit: state}} for the running nodes, asked over SSH in parallel (`config`: their ssh-config)."""

    def ask(name):
        wanted = roles.unit_names(loaded(), loaded().node(name))
        try:
            host = ssh.host(name, config)
            states = host.run("systemctl is-active " + " ".join(wanted)).stdout.split()
        except Exception as e:  # noqa: BLE001 - an unreachable node is a state to show, not a crash
            states = [f"unreachable ({str(e).splitlines()[0][:60] if str(e) else 'no SSH connection'})"] * len(wanted)
        return name, dict(zip(wanted, states))

    if not running:
        return {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(pool.map(ask, running))


def ago(stamp):
    if stamp.startswith("0001"):  # Prometheus' zero time: not scraped yet
        return said("never", "jamais")
    seconds = f"{(datetime.now(timezone.utc) - parse_time(stamp)).total_seconds():.0f}"
    return said(f"{seconds}s ago", f"il y a {seconds}\u00a0s")


def report(out=None):
    """Print the status (to standard output unless `out`); return True when everything is as lab.yaml says."""
    LAB, ok, out = loaded(), True, out or sys.stdout  # noqa: N806 - the lab, as everywhere
    with tempfile.TemporaryDirectory() as folder:
        vms, config = machines_and_config([n.name for n in LAB.nodes], folder)
        running = [n.name for n in LAB.nodes if vms.get(n.name, ("",))[0] == "running"]
        states = service_states(running if config else [], config)
        states.update({name: {unit: "unreachable (stopped meanwhile)" for unit in roles.unit_names(LAB, LAB.node(name))}
                       for name in running if name not in states})
    rows = []
    for node in LAB.nodes:
        state, provider = vms.get(node.name, ("not created", "-"))
        ok &= state == "running"
        rows.append((node.name, STATES.get(state, state) if language() == "fr" else state, provider, node.ip,
                     ", ".join(node.roles)))
    print(table(said(("node", "state", "provider", "address", "roles"),
                     ("nœud", "état", "fournisseur", "adresse", "rôles"), theirs=True), rows), file=out)

    rows = [(name, unit, state) for name, found in states.items() for unit, state in found.items()]
    ok &= all(state == "active" for _, _, state in rows)
    print("\n" + table(said(("node", "service", "state"), ("nœud", "service", "état"), theirs=True), rows), file=out)

    prometheus = Prometheus(LAB)
    not_ours = identity.foreign(prometheus)
    try:
        if not_ours:
            raise NotOurs()
        targets = prometheus.active_targets()
        rows = sorted((t["labels"]["job"], t["labels"].get("node", "-"), t["labels"]["instance"], t["health"],
                       ago(t["lastScrape"]), t["lastError"][:60]) for t in targets)
        ok &= all(r[3] == "up" for r in rows)
        print("\n" + table(said(("job", "node", "instance", "health", "last scrape", "error"),
                                ("job", "nœud", "instance", "santé", "dernière collecte", "erreur"), theirs=True), rows), file=out)
    except NotOurs:
        ok = False
        print(f"\n{not_ours[language()]}", file=out)
    except (Unreachable, QueryRefused) as e:
        ok = False
        reason = e.why["en"] if isinstance(e, Unreachable) else f"it refuses: {e}"
        reason_fr = e.why["fr"] if isinstance(e, Unreachable) else f"il refuse\u202f: {e}"
        print("\n" + said(f"Prometheus does not answer at {prometheus.url} ({reason}): is {LAB.prometheus_node.name} "
                          "up? `make up`", f"Prometheus ne répond pas à {prometheus.url} ({reason_fr})\u202f: "
                          f"{LAB.prometheus_node.name} est-il démarré\u202f? `make up`", theirs=True), file=out)
    print("\n" + said("Open:", "Ouvrir :"), file=out)
    for line in urls():
        print(f"  {line}", file=out)
    print("\n" + (said("everything is up", "tout fonctionne") if ok else
                  said("NOT everything is up: see the rows above", "tout ne fonctionne PAS : voyez les lignes ci-dessus"))
          + f" ({time.strftime('%H:%M:%S')})", file=out)
    return ok


def main():
    try:
        loaded()
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    return 0 if report() else 1


if __name__ == "__main__":
    sys.exit(main())
