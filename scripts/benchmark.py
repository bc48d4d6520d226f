"""Measure the lab: time to green from nothing, a no-op provision, the labtests, the fault drill.

    python3 -m scripts.benchmark [--keep] [--nodes N] [--no-drill] [--proofs]
    python3 -m scripts.benchmark --refusals     only: how long each command takes to refuse a bad lab.yaml
    python3 -m scripts.benchmark --floor [--runs N]   only: `make up` of the lab reduced to the brief (Prometheus
                                                and node_exporter) beside the least work giving the same targets

With LAB_FILE=examples/ha.yaml it also measures how long the global view takes to show a scrape.
--nodes N: a lab like lab.yaml grown to N nodes (node7... run node_exporter, their
addresses allocated), written to build/lab-N.yaml and used through LAB_FILE.
Destroys the lab, then times `make up` part by part (unless --keep: only the running lab is measured),
then `make test` part by part (fast tests, labtests, drills; --proofs: the exercise proofs too),
then prints a Markdown table for docs/performance.md. Uses the same settings as
`make up` (VAGRANT_DEFAULT_PROVIDER, LAB_INSTALL_METHOD, LAB_FILE ...). Not a test:
it asserts nothing about time, it reports it.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from provision import inventory, waiting

REPO = inventory.REPO
DRILL_TIMINGS = REPO / "build" / "drill-timings.json"
# What `make up` runs, in order (the Makefile's up target): what it is, the command, whether it must succeed.
UP_PARTS = [("image check and build (`make image`: lxcfs, leftovers, the node image)", ["make", "--no-print-directory", "image"], True),
            ("`vagrant up`: machines created and provisioned in parallel (scripts/up.py)", [sys.executable, "-m", "scripts.up"], True),
            ("waiting for every target's first scrape (labclient/green.py)", [sys.executable, "-m", "labclient.green"], True),
            ("the status view (labclient/status.py)", [sys.executable, "-m", "labclient.status"], False)]


def timed(cmd, check=True, **kw):
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, **kw)
    elapsed = time.monotonic() - start
    if check and proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout


def used_memory():
    """Bytes of memory in use on the host (MemTotal - MemAvailable)."""
    info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in open("/proc/meminfo")}
    return info["MemTotal"] - info["MemAvailable"]


class PeakMemory(threading.Thread):
    """Samples the host's used memory twice a second until stopped; .peak is the highest seen."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.done = used_memory(), threading.Event()

    def run(self):
        while not self.done.wait(0.5):
            self.peak = max(self.peak, used_memory())


def containers_memory():
    """Resident memory (bytes) of every process in the lab's containers (docker provider), else None.

    Summed from /proc under each container's PID 1: `docker stats` reads 0 B where the
    containers share the host's cgroup namespace, as systemd in them needs.
    """
    ids = subprocess.run(["docker", "ps", "-q", "--filter", f"label=promlab.root={REPO}"], capture_output=True, text=True).stdout.split()
    if not ids:
        return None
    roots = subprocess.run(["docker", "inspect", "--format", "{{.State.Pid}}", *ids], capture_output=True, text=True).stdout.split()
    children, rss = {}, {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process ended meanwhile
        pid = status.parent.name
        children.setdefault(fields["PPid"].strip(), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def grown(count):
    """build/lab-<count>.yaml: lab.yaml with node_exporter nodes added up to `count` (addresses allocated)."""
    raw = yaml.safe_load((REPO / "lab.yaml").read_text())
    names = {n["name"] for n in raw["nodes"]}
    raw["nodes"] += [{"name": f"node{i}", "roles": ["node_exporter"]} for i in range(1, count + 1) if f"node{i}" not in names]
    path = REPO / "build" / f"lab-{count}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def config_change_seconds(lab):
    """Time from `vagrant provision <prometheus node>` with another scrape interval to Prometheus
    reporting it in /api/v1/status/config; the lab is provisioned back afterwards."""
    from labclient.prom import Prometheus
    from provision import inventory

    raw = inventory.data(inventory.default_path())  # an overlay with what it extends: the copy below is whole
    other = "20s" if lab.scrape_interval != "20s" else "25s"
    raw["lab"]["scrape_interval"] = other
    changed = REPO / "build" / "lab-config-change.yaml"
    changed.write_text(yaml.safe_dump(raw, sort_keys=False))
    prometheus, node = Prometheus(lab), lab.prometheus_node.name
    start = time.monotonic()
    timed(["vagrant", "provision", node], env=dict(os.environ, LAB_FILE=str(changed)))
    try:
        waiting.until(lambda: prometheus.loaded_config()["global"]["scrape_interval"], lambda found: found == other, 120,
                      f"Prometheus running with scrape_interval {other}", interval=0.2)
    except waiting.TimedOut as e:
        sys.exit(str(e))
    elapsed = time.monotonic() - start
    timed(["vagrant", "provision", node])
    return elapsed


def refusal_rows():
    """The slowest and the median refusal of the hostile inventories (tests/test_hostile_inventories.py), per
    command, one at a time on an idle lab."""
    import statistics
    import tempfile

    from tests.hostile import COMMANDS, CORPUS, write

    rows, python = [], sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        for argv in COMMANDS.values():
            took = {}
            for name, content, _ in CORPUS:
                path = write(Path(tmp), name, content)
                start = time.monotonic()
                subprocess.run(argv(python), cwd=REPO, env=dict(os.environ, LAB_FILE=str(path)), capture_output=True)
                took[name] = time.monotonic() - start
            slowest = max(took, key=took.get)
            rows.append((f"`{' '.join(argv('python'))}` refusing each of the {len(CORPUS)} hostile inventories",
                         f"median {statistics.median(took.values()):.2f} s, slowest {took[slowest]:.2f} s ({slowest})"))
    return rows


def global_view_delay(lab, samples=5):
    """Seconds from a scrape (its sample's timestamp on a replica) until the global view shows a sample of
    that interval: the median and the longest of `samples` scrapes."""
    from labclient.prom import global_view, replicas
    from provision.waiting import until

    interval = lab.interval
    series = f'timestamp(up{{job="node", node="{lab.nodes_with("node_exporter")[-1].name}"}})'
    view, replica = global_view(lab), next(iter(replicas(lab).values()))

    def stamp(prom):
        found = prom.query(series)
        return float(found[0]["value"][1]) if found else 0.0

    delays, last = [], stamp(replica)
    for _ in range(samples):
        scraped = until(lambda: stamp(replica), lambda t, last=last: t > last, 3 * interval, "a new scrape on the replica")
        until(lambda: stamp(view), lambda t, scraped=scraped: t > scraped - interval, 300, "the global view showing it",
                 interval=0.2)
        delays.append(time.time() - scraped)
        last = scraped
    delays.sort()
    return delays[len(delays) // 2], delays[-1]


def machine():
    mem = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
    return f"{os.cpu_count()} cores, {int(mem) // 1024 // 1024} GiB, {platform.system()} {platform.release()}"


def floor_run(lab, brief):
    """One floor (scripts/floor.py), then `make up` until green of the lab reduced to the brief, from nothing."""
    from scripts import floor

    subprocess.run(["vagrant", "destroy", "--force"], cwd=REPO, capture_output=True)
    least = floor.measure(lab)
    parts = [(what, timed(cmd, env=brief)[0]) for what, cmd, _ in UP_PARTS[:3]]  # until green: no status view
    subprocess.run(["vagrant", "destroy", "--force"], cwd=REPO, capture_output=True, env=brief)
    return least, parts


def short(what):
    """A part of make up named without its explanation: `vagrant up`."""
    return what.split(":")[0].split(" (")[0]


def floor_rows(runs):
    """The floor beside `make up` of the lab reduced to the brief, `runs` times each (the wait for first scrapes
    depends on where each target's scrape falls in the interval: one run says little); medians and each run.
    The lab is destroyed before and after (run `make up` again for the whole lab)."""
    from provision.roles import ROLES

    lab = inventory.load()
    brief = {**os.environ, "LAB_SKIP_ROLES": ",".join(r for r in ROLES if r not in ("prometheus", "node_exporter"))}
    results = [floor_run(lab, brief) for _ in range(runs)]
    floors = [least["total"] for least, _ in results]
    ups = [sum(t for _, t in parts) for _, parts in results]
    rows = []
    for i, (least, parts) in enumerate(results, 1):
        rows += [(f"run {i}: the floor (six containers, Debian's two packages, one configuration, until every target is up)",
                  f"{least['total']:.1f} s (" + ", ".join(f"{w} {t:.1f} s" for w, t in least.items() if w != "total") + ")"),
                 (f"run {i}: `make up` until green, the lab reduced to the brief (LAB_SKIP_ROLES: every role but prometheus and "
                  "node_exporter)", f"{ups[i - 1]:.1f} s (" + ", ".join(f"{short(w)} {t:.1f} s" for w, t in parts) + ")")]
    median_floor, median_up = statistics.median(floors), statistics.median(ups)
    rows += [(f"median of {runs} runs: the floor, `make up`", f"{median_floor:.1f} s, {median_up:.1f} s"),
             ("`make up` over the floor (medians; each run)", f"{median_up / median_floor:.2f}× (" +
              ", ".join(f"{u / f:.2f}×" for u, f in zip(ups, floors)) + ")")]
    return rows


def table(heading, rows):
    """The Markdown table docs/performance.md takes, under one line saying where it was measured."""
    print(f"{heading}\n\n| measure | result |\n| --- | --- |")
    for what, value in rows:
        print(f"| {what} | {value} |")


def main(argv):
    if "--floor" in argv:
        table(f"Machine: {machine()}", floor_rows(int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 3))
        return 0
    if "--refusals" in argv:
        table(f"Machine: {machine()}", refusal_rows())
        return 0
    if "--nodes" in argv:
        os.environ["LAB_FILE"] = str(grown(int(argv[argv.index("--nodes") + 1])))
    lab = inventory.load()
    n = len(lab.nodes)
    rows = []
    if "--keep" not in argv:
        subprocess.run(["vagrant", "destroy", "--force"], cwd=REPO, capture_output=True)
        before, sampler = used_memory(), PeakMemory()
        sampler.start()
        parts = [(what, timed(cmd, check=check)[0]) for what, cmd, check in UP_PARTS]  # `make up`, part by part
        sampler.done.set()
        rows += [(f"`make up` from nothing to all targets up ({n} nodes)", f"{sum(t for _, t in parts):.1f} s")]
        rows += [(f"… {what}", f"{t:.1f} s") for what, t in parts]
        per_node = json.loads((REPO / "build" / "up-times.json").read_text())
        rows += [("… per node: until booted + provisioning (in parallel)",
                  ", ".join(f"{name} {t['boot']:.0f} + {t['provision']:.0f} s" for name, t in per_node.items()))]
        rows += [("peak host memory in use during `make up`, above what was in use before", f"{(sampler.peak - before) / 2**30:.2f} GiB")]
        in_containers = containers_memory()
        if in_containers is not None:
            rows += [("resident memory of the green lab's containers (all their processes)", f"{in_containers / 2**30:.2f} GiB")]
    noop, out = timed(["vagrant", "provision"])
    changed = sum(int(c) for c in re.findall(r"(\d+) changed", out))
    rows += [(f"no-op `vagrant provision`, {n} nodes one after another", f"{noop:.1f} s ({noop / n:.1f} s per node, {changed} changed)")]
    rows += [("a scrape interval change: `vagrant provision` on the Prometheus node until Prometheus runs with it",
              f"{config_change_seconds(lab):.1f} s (validated with promtool, then a reload)")]
    if lab.global_view:
        median, longest = global_view_delay(lab)
        rows += [(f"a scrape until the global view ({lab.global_view.role}) shows it", f"{median:.1f} s median, {longest:.1f} s longest")]
    fast, out = timed([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"])
    rows += [("`make test`'s fast tests (no lab)", f"{fast:.1f} s ({out.strip().splitlines()[-1]})")]
    suite, out = timed([sys.executable, "-m", "pytest", "labtests", "-q", "-p", "no:cacheprovider", "-m", "not drill"])
    rows += [("labtests without the drills", f"{suite:.1f} s ({out.strip().splitlines()[-1]})")]
    if "--no-drill" not in argv:
        DRILL_TIMINGS.unlink(missing_ok=True)
        drills, out = timed([sys.executable, "-m", "scripts.labtest", "--drills", "-q", "-p", "no:cacheprovider"])
        ends = [line for line in out.splitlines() if line.startswith("==") and " in " in line]
        rows += [("`make test`'s drills (`make drill`: those needing the whole lab, then the lanes side by side)",
                  f"{drills:.1f} s ({'; '.join(e.strip('= ') for e in ends)})")]
        if DRILL_TIMINGS.is_file():  # written by labtests/test_drills.py, just run with the drills
            timings = json.loads(DRILL_TIMINGS.read_text())
            steps = ", ".join(f"{step} {t} s" for step, t in timings["seconds"].items())
            rows += [(f"… of which the fault drill on {timings['node']} (node_exporter stopped; instance_down_for "
                      f"{timings['instance_down_for']})", steps)]
    if "--proofs" in argv:
        proofs, out = timed([sys.executable, "-m", "pytest", "labtests", "-q", "-p", "no:cacheprovider", "-m", "exercise",
                             "--prove-exercises"])
        rows += [("the exercise proofs (`make prove-exercises`)", f"{proofs:.1f} s ({out.strip().splitlines()[-1]})")]
    checks = REPO / "build" / "exercise-check-seconds.json"
    if checks.is_file():  # written by the last `make prove-exercises` (a quarter of an hour: not rerun here)
        for case, seconds in json.loads(checks.read_text()).items():
            rows += [(f"exercise check after the solution {case} (last `make prove-exercises`)",
                      f"passes {seconds['until_done']} s after the solution ends (polling included); answers in {seconds['answer']} s")]
    rows += refusal_rows()
    provider = os.environ.get("VAGRANT_DEFAULT_PROVIDER", "(Vagrant's default)")
    table(f"Machine: {machine()}; provider {provider}; install method {lab.install_method}", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
