"""Wait until the lab is green: every target and every blackbox probe lab.yaml implies is up in Prometheus.

    python3 -m labclient.green [--timeout SECONDS]

Prints progress while it waits. Exit 1 on timeout, naming what was last seen.
`make up` ends with it, then with the status view (labclient/status.py) and its URLs.
"""

import sys
import time

from labclient.lab import loaded
from labclient.language import language
from labclient.prom import Prometheus, Unreachable, why
from labclient.say import said
from provision import inventory
from provision.waiting import TimedOut, until


def status(prometheus, lab=None):
    """{(job, node, instance): health} for the targets and the blackbox probes lab.yaml implies ('absent' when
    Prometheus lacks one). A scrape target is found by job and node; a probe by job and what it probes (its instance),
    a node having several of one job. The targets added by hand are the status view's to show, not green's to wait for.
    """
    lab = lab or loaded()
    targets = prometheus.active_targets()
    by_node = {(t["labels"]["job"], t["labels"].get("node")): t["health"] for t in targets}
    by_instance = {(t["labels"]["job"], t["labels"].get("instance")): t["health"] for t in targets}
    found = {(t.job, t.node, t.address): by_node.get((t.job, t.node), "absent") for t in lab.targets()}
    found.update({(p.job, p.node, p.address): by_instance.get((p.job, p.address), "absent") for p in lab.probes()})
    return found


def wait_green(timeout=180, out=sys.stdout):
    """True once every target and probe is up (saying so), False after `timeout` seconds (saying what was last seen);
    each change of what is awaited printed as it comes (provision.waiting.until polls)."""
    lab = loaded()
    prometheus, scraped = Prometheus(lab), {t.job for t in lab.targets()}
    start = time.monotonic()
    seen = {"last": "Prometheus not answering yet", "shown": None}

    def green_now():
        """(all up, up, of how many), the line of this moment printed when it differs from the one before."""
        try:
            health = status(prometheus, lab)
            up = sum(h == "up" for h in health.values())
            seen["last"] = ", ".join(f"{job}/{node}{'' if job in scraped else ' ' + what}: {h}"
                                     for (job, node, what), h in sorted(health.items()) if h != "up")
            line = said(f"promlab: waiting, {up}/{len(health)} targets up ({seen['last']})",
                        f"promlab\u202f: en attente, {up}/{len(health)} cibles en marche ({seen['last']})", theirs=True)
            found = (up == len(health), up, len(health))
        except Exception as e:  # noqa: BLE001 - not answering yet is what we wait through
            reason = e.why if isinstance(e, Unreachable) else why(e)
            line = said(f"promlab: waiting for Prometheus at {prometheus.url} ({reason['en']})",
                        f"promlab\u202f: en attente de Prometheus à {prometheus.url} ({reason['fr']})", theirs=True)
            seen["last"], found = str(e), (False, 0, 0)
        if not found[0] and line != seen["shown"]:
            print(line, file=out, flush=True)
            seen["shown"] = line
        return found

    try:
        _, up, total = until(green_now, lambda found: found[0], timeout, "every target up", interval=0.5)
    except TimedOut:
        print(said(f"promlab: not green after {timeout}s; last seen: {seen['last']}",
                   f"promlab\u202f: pas tout vert après {timeout}\u00a0s\u202f; vu en dernier\u202f: {seen['last']}",
                   theirs=True), file=out)
        return False
    took = f"{time.monotonic() - start:.0f}"
    print(said(f"promlab: green after {took}s: {up}/{total} targets up",
               f"promlab\u202f: tout est vert après {took}\u00a0s\u202f: {up}/{total} cibles en marche", theirs=True),
          file=out)
    return True


def _prometheus_line(lab):
    """Where to open Prometheus, with the pages of the version that runs (labclient.ui)."""
    from labclient.prom import Prometheus, QueryRefused, Unreachable
    from labclient.ui import pages

    url = lab.prometheus.host_url
    try:
        found = pages(Prometheus(url=url))
    except (QueryRefused, Unreachable):
        return said(f"Prometheus  {url}  (it does not answer yet)", f"Prometheus  {url}  (il ne répond pas encore)",
                    theirs=True)
    lang = language()
    if found.kind == "none":
        return f"Prometheus  {url}  ({found.where(url, lang=lang)})"
    return said(f"Prometheus  {url}{found.query}  ({found.version}; targets: {found.where(url, lang=lang)})",
                f"Prometheus  {url}{found.query}  ({found.version}\u202f; cibles\u202f: {found.where(url, lang=lang)})",
                theirs=True)


def urls():
    lab = loaded()
    lines = [_prometheus_line(lab)]
    user = lab.components["grafana"]["admin_user"]
    for grafana in lab.endpoints("grafana"):
        lines.append(said(f"Grafana     {grafana.host_url}  (sign in as {user}, password: "
                          "components.grafana.admin_password in lab.yaml or $LAB_GRAFANA_PASSWORD)",
                          f"Grafana     {grafana.host_url}  (connectez-vous en {user}, mot de passe\u202f: "
                          "components.grafana.admin_password dans lab.yaml ou $LAB_GRAFANA_PASSWORD)", theirs=True))
    if "grafana" in lab.skipped_roles:
        lines.append(said("Grafana     not in this lab (LAB_SKIP_ROLES names it)",
                          "Grafana     absent de ce lab (LAB_SKIP_ROLES le nomme)"))
    for alertmanager in lab.endpoints("alertmanager"):
        lines.append(said(f"Alertmanager {alertmanager.host_url}  (on the lab network; Prometheus' Alerts page shows the "
                          "same alerts)", f"Alertmanager {alertmanager.host_url}  (sur le réseau du lab\u202f; la page "
                          "Alerts de Prometheus montre les mêmes alertes)", theirs=True))
    return lines


def main(argv):
    timeout = float(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else 180
    try:
        loaded()
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    return 0 if wait_green(timeout) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
