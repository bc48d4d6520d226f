"""The exercises' data sets: crafted series on which a right answer and the plausible wrong ones give different
numbers, the way `promtool test rules` grades rules on input series.

Each data set lives in its own window of time, an hour of samples every 15 s, far back (2025) and far from the
others, so that no query of one reaches another's samples. Series carry the lab's own names, labels and nodes:
an answer that is right on the lab is right here. The prometheus role turns them into TSDB blocks
(`promtool tsdb create-blocks-from openmetrics`) served, read-only, by a second Prometheus beside the lab's own
(`prometheus-datasets`, components.prometheus.datasets_port). A check asks it the student's query and the
reference's at a data set's time and compares the two (exercises/grading.py).

Standard library only: the guests render this file at provisioning, the host's tests do too.
"""

import hashlib
import math
import random
import subprocess
from dataclasses import dataclass
from typing import Callable

from provision import otel_data, remote_write

BASE = 1735689600  # 2025-01-01T00:00:00Z
WINDOW = 6 * 3600  # each data set starts this far after the one before (a TSDB block of 2 h holds it alone)
SPAN = 3600  # an hour of samples
STEP = 15
BOUNDS = (0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120)  # Prometheus' own request-duration buckets
LOAD_START, LOAD_SECONDS, LOOPS = 2400, 180, 3  # the guide's load on a node: three busy loops for three minutes


@dataclass(frozen=True)
class DataSet:
    name: str
    slot: int  # its window: BASE + slot * WINDOW
    describe: Callable  # (lab) -> (French, English): what is special in it, said to the student
    build: Callable  # (lab, major) -> [(metric name, labels, [value at each step])]
    applies: Callable = lambda lab: True  # noqa: E731 - does the lab have what it needs (replicas for exercise 13)
    native: bool = False  # holds native histograms: written through remote write (provision/remote_write.py)

    @property
    def start(self):
        return BASE + self.slot * WINDOW

    @property
    def end(self):
        """The time a check evaluates an instant query at: the last sample of the hour."""
        return self.start + SPAN


def steps():
    return range(0, SPAN + 1, STEP)


def _exporters(lab):
    """The nodes with node_exporter, in lab.yaml's order: the nodes a per-node answer covers."""
    return lab.nodes_with("node_exporter")


def _node_labels(lab, node):
    return {"instance": f"{node.ip}:{lab.components['node_exporter']['port']}", "job": "node", "node": node.name}


def _constant(value):
    return [value for _ in steps()]


def _counter(rate_at, start=0.0):
    """A counter's samples from its rate (per second) at each step's time."""
    values, total = [], start
    for t in steps():
        values.append(total)
        total += rate_at(t) * STEP
    return values


# --- up: every target the lab has, some down --------------------------------------------------------------------

def _target_labels(lab):
    """(labels of each target as Prometheus has them after relabelling) for every target and probe of the lab."""
    found = [{"instance": t.address, "job": t.job, "node": t.node} for t in lab.targets()]
    return found + [{"instance": p.address, "job": p.job, "node": p.node} for p in lab.probes()]


def _single_target_job(lab):
    """The last job of lab.yaml's exporters with a single target (its only target down leaves the job at 0), or None."""
    jobs = [j for j in lab.scrape_jobs() if len(j["targets"]) == 1 and j["name"] != "node"]
    return jobs[-1] if jobs else None


def _down_in_some(lab):
    """The targets the 'some down' data set stops: the second exporter node's node_exporter, and every target of one
    single-target job."""
    exporters = _exporters(lab)
    down = {("node", exporters[1 % len(exporters)].name)} if exporters else set()
    single = _single_target_job(lab)
    if single:
        down.add((single["name"], single["targets"][0]["node"]))
    return down


DIED = SPAN - 600  # a target down in a data set died ten minutes before its end: up was 1 until then
FLAPPED = (600, 1800)  # the first exporter node's node target was down from minute 10 to 30, and is up again now


def _died(t):
    return 1 if t < DIED else 0


def _up(lab, down, flapped=False):
    """up of every target: those of `down` died ten minutes ago; with `flapped`, the first exporter node's node target
    was down for a while earlier in the hour (a window over up is not up now)."""
    exporters = _exporters(lab)
    again = ("node", exporters[0].name) if flapped and exporters else None
    found = []
    for labels in _target_labels(lab):
        key = (labels["job"], labels["node"])
        if key in down:
            found.append(("up", labels, [_died(t) for t in steps()]))
        elif key == again:
            found.append(("up", labels, [0 if FLAPPED[0] <= t < FLAPPED[1] else 1 for t in steps()]))
        else:
            found.append(("up", labels, _constant(1)))
    return found


def _firing(lab, down):
    """The lab's InstanceDown alert firing for each target down (Prometheus' ALERTS series): a panel of what is
    firing, rightly empty on a healthy lab, shows something here."""
    return [("ALERTS", {"alertname": "InstanceDown", "alertstate": "firing", "severity": "critical", **labels},
             [1 if t >= DIED + 60 else None for t in steps()])
            for labels in _target_labels(lab) if (labels["job"], labels["node"]) in down]


def _describe_some_down(lab):
    down = sorted(_down_in_some(lab))
    fr = ", ".join(f"la cible {job} de {node}" for job, node in down)
    en = ", ".join(f"{node}'s {job} target" for job, node in down)
    again = _exporters(lab)[0].name if _exporters(lab) else "?"
    return (f"{fr} en panne depuis dix minutes (up à 0) ; la cible node de {again} l'a été plus tôt, de la 10e à la 30e minute",
            f"{en} down for the last ten minutes (up at 0); {again}'s node target was down earlier, from minute 10 to 30")


# --- memory ------------------------------------------------------------------------------------------------------

MEMORY_MIB = (512, 1024, 2048, 768, 4096)
USED = {"a": (0.30, 0.55, 0.72, 0.41, 0.63), "b": (0.50, 0.20, 0.35, 0.83, 0.12)}
ROSE = {"a": 0.0, "b": 0.15}  # in memory-b, the share used rose by this much towards minute 30, and was back by minute 50


def _bump(t, height):
    return height * max(0.0, 1 - abs(t - 1800) / 1200)


def _memory(which):
    def build(lab, major):
        found = []
        for i, node in enumerate(_exporters(lab)):
            total = MEMORY_MIB[i % len(MEMORY_MIB)] * 2**20
            used = USED[which][i % len(USED[which])]
            available = [round(total * (1 - used - _bump(t, ROSE[which]))) for t in steps()]
            # Free, buffers and page cache make up what is available: "total - free" counts the cache as used.
            free, buffers = [round(a * 0.4) for a in available], [round(a * 0.1) for a in available]
            labels = _node_labels(lab, node)
            found += [("node_memory_MemTotal_bytes", labels, _constant(total)),
                      ("node_memory_MemAvailable_bytes", labels, available),
                      ("node_memory_MemFree_bytes", labels, free),
                      ("node_memory_Buffers_bytes", labels, buffers),
                      ("node_memory_Cached_bytes", labels, [a - f - b for a, f, b in zip(available, free, buffers)])]
        return found
    return build


# --- CPU and network -------------------------------------------------------------------------------------------

# How a busy CPU's time splits between modes: user and system are nearly all of it.
MODES = {"user": 0.70, "system": 0.27, "softirq": 0.01, "iowait": 0.01, "nice": 0.005, "irq": 0.005, "steal": 0.0}
# Busy share of each CPU of each node, in lab.yaml's order; the third and fifth nodes have two CPUs, unevenly busy.
BUSY = {"a": ((0.05,), (0.35,), (0.90, 0.10), (0.60,), (0.20, 0.40)),
        "b": ((0.80,), (0.12,), (0.30, 0.70), (0.02,), (0.95, 0.55))}
# Bytes received per second on each device: lo (the node talking to itself), eth0 and eth1 (the lab network).
RECEIVED = {"a": {"lo": 2100.0, "eth0": 5300.0, "eth1": 1700.0}, "b": {"lo": 900.0, "eth0": 12500.0, "eth1": 4100.0}}
EARLIER = {"a": 1.0, "b": 3.0}  # traffic in the first half hour, times the rate above (in cpu-network-b it fell at minute 30)
EARLIER_BUSY = {"a": 0.0, "b": 0.2}  # and the CPUs were this much busier then
RESET = SPAN - 180  # in cpu-network-a, the second exporter node's counters restart from 0 three minutes before the end


def _restarted(values, at):
    """A counter's samples when its exporter restarted just after `at` seconds: from 0 again, at the same rate (its
    first sample then holds one step of traffic, all of which rate() counts)."""
    index = at // STEP + 1
    return values[:index] + [v - values[index - 1] for v in values[index:]]


def _cpu_series(lab, node, shares, start=10000.0):
    """node_cpu_seconds_total of a node whose CPUs are busy `shares(t)` (a tuple, one share per CPU, at time t)."""
    found, labels = [], _node_labels(lab, node)
    cpus = len(shares(0))
    for cpu in range(cpus):
        def busy(t, cpu=cpu):
            return shares(t)[cpu]
        found.append(("node_cpu_seconds_total", {**labels, "cpu": str(cpu), "mode": "idle"},
                      _counter(lambda t, busy=busy: 1 - busy(t), start)))
        for mode, part in MODES.items():
            found.append(("node_cpu_seconds_total", {**labels, "cpu": str(cpu), "mode": mode},
                          _counter(lambda t, busy=busy, part=part: part * busy(t), start * part)))
    return found


def _cpu_network(which):
    def build(lab, major):
        found = []
        for i, node in enumerate(_exporters(lab)):
            shares, more = BUSY[which][i % len(BUSY[which])], EARLIER_BUSY[which]
            found += _cpu_series(lab, node, lambda t, shares=shares, more=more: tuple(min(1.0, s + (more if t < 1800 else 0))
                                                                                        for s in shares))
            restarts = which == "a" and i == 1
            for device, rate in RECEIVED[which].items():
                scaled, earlier = rate * (1 + 0.25 * i), EARLIER[which]
                labels = {**_node_labels(lab, node), "device": device}
                received = _counter(lambda t, r=scaled, e=earlier: r * (e if t < 1800 else 1), 3e9)
                sent = _counter(lambda t, r=scaled, e=earlier: (0.6 * r + 300) * (e if t < 1800 else 1), 2e9)
                if restarts:
                    received, sent = _restarted(received, RESET), _restarted(sent, RESET)
                found.append(("node_network_receive_bytes_total", labels, received))
                found.append(("node_network_transmit_bytes_total", labels, sent))
        return found
    return build


# --- Prometheus' request durations -----------------------------------------------------------------------------

# Requests per second per handler, and the share of them at or under each bound (BOUNDS), in the first half hour
# (slow) and the last (fast): a quantile without rate() mixes both, over a few minutes it sees the last alone.
HANDLERS = {
    "a": {"/metrics": (0.07, (0.05, 0.15, 0.4, 0.7, 0.9, 1), (0.25, 0.55, 0.8, 0.95, 0.99, 1)),
          "/api/v1/query": (0.5, (0.01, 0.03, 0.1, 0.3, 0.6, 0.85, 1), (0.05, 0.12, 0.3, 0.62, 0.86, 0.96, 1)),
          "/api/v1/query_range": (0.1, (0.0, 0.01, 0.02, 0.1, 0.3, 0.6, 0.9, 1), (0.0, 0.02, 0.1, 0.3, 0.62, 0.84, 0.96, 1)),
          "/-/healthy": (0.2, (0.6, 0.9, 1), (0.92, 0.99, 1))},
    "b": {"/metrics": (0.07, (0.1, 0.3, 0.6, 0.9, 1), (0.5, 0.8, 0.95, 1)),
          "/api/v1/query": (0.3, (0.0, 0.05, 0.2, 0.5, 0.8, 0.95, 1), (0.15, 0.35, 0.6, 0.9, 0.97, 1)),
          "/api/v1/query_range": (0.25, (0.0, 0.0, 0.05, 0.2, 0.5, 0.8, 1), (0.01, 0.05, 0.2, 0.45, 0.75, 0.92, 0.99, 1)),
          "/-/healthy": (0.05, (0.7, 0.95, 1), (0.97, 1))},
}


def le_text(bound, major):
    """A bucket's `le` as the Prometheus of that major stores it: 3.x normalises whole numbers to floats at scrape
    (le="1.0"), 2.x keeps what the exporter wrote (le="1")."""
    if bound == math.inf:
        return "+Inf"
    if float(bound).is_integer():
        return f"{bound:.1f}" if major >= 3 else f"{int(bound)}"
    return f"{bound:g}"


def _share_at(shares, i):
    return shares[i] if i < len(shares) else 1.0


def _requests(which):
    def build(lab, major):
        found = []
        for endpoint in lab.endpoints("prometheus"):
            base = {"instance": endpoint.address if lab.replicated else f"localhost:{endpoint.port}", "job": "prometheus",
                    "node": endpoint.node.name}
            for handler, (rate, slow, fast) in HANDLERS[which].items():
                def part(t, i, slow=slow, fast=fast):
                    return _share_at(slow if t < SPAN / 2 else fast, i)
                labels = {**base, "handler": handler}
                for i, bound in enumerate(BOUNDS + (math.inf,)):
                    found.append(("prometheus_http_request_duration_seconds_bucket", {**labels, "le": le_text(bound, major)},
                                  _counter(lambda t, i=i, rate=rate: rate * part(t, i), 100.0 * rate * _share_at(slow, i))))
                found.append(("prometheus_http_request_duration_seconds_count", labels, _counter(lambda t, r=rate: r, 100.0 * rate)))
                found.append(("prometheus_http_request_duration_seconds_sum", labels,
                              _counter(lambda t, r=rate: r * (0.9 if t < SPAN / 2 else 0.3), 90.0 * rate)))
        return found
    return build


# --- load: a lab at rest, and one node made busy as the guide does it ------------------------------------------

def _noise(seed, t, low, high):
    """A smooth, repeatable wander between low and high."""
    rng = random.Random(seed)
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    wave = sum(math.sin(t / period + phase) for period, phase in zip((97.0, 311.0, 53.0), phases)) / 3
    return low + (high - low) * (wave + 1) / 2


def busy_node(lab):
    """The node the 'busy' data set loads: the guide's (node3 in lab.yaml), the second exporter node."""
    exporters = _exporters(lab)
    return exporters[1 % len(exporters)].name if exporters else None


def other_busy_nodes(lab):
    """{node: the second its load starts} of the 'busy-elsewhere' data set: the first and the last exporter nodes other
    than busy_node, loaded at minutes 15 and 40 (a rule that fires only where the guide loads is refused on it)."""
    others = [n.name for n in _exporters(lab) if n.name != busy_node(lab)]
    return dict(zip(dict.fromkeys([others[0], others[-1]]) if others else [], (900, LOAD_START)))


def _loaded(t, start=LOAD_START):
    """How many of the guide's loops run at time t."""
    return LOOPS if start <= t < start + LOAD_SECONDS else 0


def _load_average(t, period, rest, start=LOAD_START):
    """A Linux load average (decaying over `period` seconds) of a node at rest with `rest`, under the guide's loops."""
    if t < start:
        return rest
    running = min(t, start + LOAD_SECONDS) - start
    peak = rest + (LOOPS - rest) * (1 - math.exp(-running / period))
    after = max(0, t - start - LOAD_SECONDS)
    return rest + (peak - rest) * math.exp(-after / period)


def _load(loads):
    """The load data sets: `loads(lab)` -> {node: the second the guide's loops start on it}; the others at rest."""
    def build(lab, major):
        found, loaded = [], loads(lab)
        for node in _exporters(lab):
            labels = _node_labels(lab, node)
            rest = [_noise(f"{node.name}-load", t, 0.02, 0.45) for t in steps()]
            slow = [_noise(f"{node.name}-load5", t, 0.05, 0.2) for t in steps()]
            if node.name in loaded:
                start = loaded[node.name]
                found.append(("node_load1", labels, [_load_average(t, 60, r, start) for t, r in zip(steps(), rest)]))
                found.append(("node_load5", labels, [_load_average(t, 300, r, start) for t, r in zip(steps(), slow)]))
                found.append(("node_load15", labels, [_load_average(t, 900, r, start) for t, r in zip(steps(), slow)]))
                found += _cpu_series(lab, node, lambda t, start=start: (1.0 if _loaded(t, start) else _noise("cpu", t, 0.02, 0.12),))
            else:
                found += [("node_load1", labels, rest), ("node_load5", labels, slow), ("node_load15", labels, slow)]
                found += _cpu_series(lab, node, lambda t, name=node.name: (_noise(f"{name}-cpu", t, 0.02, 0.12),))
            found.append(("up", labels, _constant(1)))
        return found
    return build


def _describe_busy(lab):
    node = busy_node(lab)
    return (f"{node} chargé comme le guide le fait (trois boucles pendant trois minutes, à partir de la 40e minute), "
            "les autres nœuds au repos",
            f"{node} loaded as the guide does it (three busy loops for three minutes, from minute 40), the other nodes "
            "at rest")


def _describe_elsewhere(lab):
    (first, second), last = (list(other_busy_nodes(lab)) + [None, None])[:2], busy_node(lab)
    both_fr = f"{first} chargé à partir de la 15e minute" + (f", {second} de la 40e" if second else "")
    both_en = f"{first} loaded from minute 15" + (f", {second} from minute 40" if second else "")
    return (f"{both_fr} ; {last} au repos cette fois", f"{both_en}; {last} at rest this time")


# --- replicas (the high-availability lab) --------------------------------------------------------------------

def _replica_sets(lab):
    return [e.node.name for e in lab.endpoints("prometheus")]


def _replicas(dead_index):
    """The global view's up: every replica's target up but the dead one's (None: all running), and one exporter
    target down in every case (a query for dead replicas must not return it)."""
    def build(lab, major):
        replicas = _replica_sets(lab)
        dead = replicas[dead_index] if dead_index is not None and dead_index < len(replicas) else None
        exporters = _exporters(lab)
        down = {("node", exporters[-1].name)} if exporters else set()
        if dead:
            down.add(("prometheus", dead))
        return _up(lab, down)
    return build


def _describe_replica(dead_index):
    def describe(lab):
        replicas, exporters = _replica_sets(lab), _exporters(lab)
        other = f"{exporters[-1].name}'s node target" if exporters else ""
        if dead_index is None:
            return (f"toutes les répliques tournent ; la cible node de {exporters[-1].name} est en panne",
                    f"every replica runs; {other} is down")
        return (f"la réplique {replicas[dead_index]} arrêtée ; la cible node de {exporters[-1].name} est en panne aussi",
                f"replica {replicas[dead_index]} stopped; {other} is down too")
    return describe


def _prometheus3(lab):
    return lab.prometheus_release.major >= 3


def _replicated(index):
    return lambda lab: lab.replicated and len(_replica_sets(lab)) > index


DATASETS = {d.name: d for d in (
    DataSet("targets-up", 0, lambda lab: ("toutes les cibles répondent", "every target answers"), lambda lab, major: _up(lab, set())),
    DataSet("targets-some-down", 1, _describe_some_down,
            lambda lab, major: _up(lab, _down_in_some(lab), flapped=True) + _firing(lab, _down_in_some(lab))),
    DataSet("memory-a", 2, lambda lab: ("mémoires de tailles diverses, cache compris", "memories of several sizes, page cache included"),
            _memory("a")),
    DataSet("memory-b", 3, lambda lab: ("d'autres nœuds pleins ou vides", "other nodes full or empty"), _memory("b")),
    DataSet("cpu-network-a", 4, lambda lab: ("des nœuds à un et deux CPU, inégalement occupés ; du trafic sur lo, eth0 et eth1",
                                             "nodes with one and two CPUs, unevenly busy; traffic on lo, eth0 and eth1"),
            _cpu_network("a")),
    DataSet("cpu-network-b", 5, lambda lab: ("d'autres charges, d'autres débits", "other loads, other traffic"), _cpu_network("b")),
    DataSet("requests-a", 6, lambda lab: ("des requêtes lentes la première demi-heure, rapides la seconde, chaque handler "
                                          "à sa façon", "slow requests in the first half hour, fast ones in the second, each "
                                          "handler its own way"), _requests("a")),
    DataSet("requests-b", 7, lambda lab: ("d'autres durées par handler", "other durations per handler"), _requests("b")),
    DataSet("rest", 8, lambda lab: ("une heure de lab au repos", "an hour of the lab at rest"), _load(lambda lab: {})),
    DataSet("busy", 9, _describe_busy, _load(lambda lab: {busy_node(lab): LOAD_START} if busy_node(lab) else {})),
    DataSet("replicas-up", 10, _describe_replica(None), _replicas(None), applies=_replicated(1)),
    DataSet("replica-1-down", 11, _describe_replica(0), _replicas(0), applies=_replicated(1)),
    DataSet("replica-2-down", 12, _describe_replica(1), _replicas(1), applies=_replicated(1)),
    DataSet("busy-elsewhere", 13, _describe_elsewhere, _load(other_busy_nodes), applies=lambda lab: bool(other_busy_nodes(lab))),
    # Native histograms and UTF-8 names: a Prometheus 3's (the later slots: remote write appends after every block)
    DataSet("otel-a", 14, lambda lab: ("un service OpenTelemetry, promlab-demo : deux versions, des requêtes lentes la "
                                       "première demi-heure, rapides la seconde, chaque route à sa façon",
                                       "an OpenTelemetry service, promlab-demo: two versions, slow requests in the first "
                                       "half hour, fast ones in the second, each route its own way"),
            lambda lab, major: otel_data.series("a", lab, len(steps())), applies=_prometheus3, native=True),
    DataSet("otel-b", 15, lambda lab: ("d'autres durées, les versions échangées", "other durations, the versions swapped"),
            lambda lab, major: otel_data.series("b", lab, len(steps())), applies=_prometheus3, native=True),
)}


def _label_value(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format(value):
    return repr(float(value)) if math.isfinite(value) else ("+Inf" if value > 0 else "-Inf")


def openmetrics(lab, major):
    """Every data set of the lab as OpenMetrics text, for `promtool tsdb create-blocks-from openmetrics`: each series
    whole, its samples in time order, each family's series together."""
    families = {}
    for dataset in (d for d in DATASETS.values() if d.applies(lab) and not d.native):
        for name, labels, values in dataset.build(lab, major):
            text = ",".join(f'{k}="{_label_value(v)}"' for k, v in sorted(labels.items()))
            families.setdefault(name, []).append((text, dataset.start, values))
    lines = []
    for name in sorted(families):
        for text, start, values in families[name]:
            lines += [f"{name}{{{text}}} {_format(v)} {start + t}" for t, v in zip(steps(), values) if v is not None]
    return "\n".join(lines + ["# EOF"]) + "\n"



def native_batches(lab, major):
    """The data sets written through remote write, as batches for provision/remote_write.write: one per time step, every
    series' sample at that time, in time order."""
    batches = []
    if major < 3:  # no UTF-8 names before Prometheus 3
        return batches
    for dataset in sorted((d for d in DATASETS.values() if d.applies(lab) and d.native), key=lambda d: d.slot):
        series = dataset.build(lab, major)
        for index, t in enumerate(steps()):
            batches.append([({"__name__": name, **labels}, (dataset.start + t) * 1000, values[index])
                            for name, labels, values in series if values[index] is not None])
    return batches


def digest(lab, major):
    """The sha256 of every series of the lab's data sets: the blocks are rebuilt when it changes."""
    text = openmetrics(lab, major) + repr(native_batches(lab, major))
    return hashlib.sha256(text.encode()).hexdigest()


def build_blocks(lab, release, programs, tsdb, run=subprocess.run, spawn=remote_write._popen):
    """The lab's data sets as TSDB blocks in the new folder `tsdb`, for the Prometheus `release` (provision/features.py)
    of `programs` ({prometheus, promtool}: paths): OpenMetrics through `promtool tsdb create-blocks-from`, then the
    native histograms through that Prometheus' remote-write receiver (provision/remote_write.py). `run` and `spawn`:
    how commands run (a role's Run.sh and Run.spawn)."""
    tsdb.mkdir(parents=True, exist_ok=True)
    source = tsdb.with_name(tsdb.name + ".om")
    source.write_text(openmetrics(lab, release.major))
    try:
        run([programs["promtool"], "tsdb", "create-blocks-from", "openmetrics", str(source), str(tsdb)], check=True,
            capture_output=True, text=True)
    finally:
        source.unlink()
    batches = native_batches(lab, release.major)
    if batches:
        remote_write.write(programs["prometheus"], tsdb, batches, flags=release.flags("native_histograms"), spawn=spawn)
