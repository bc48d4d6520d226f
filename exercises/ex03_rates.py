"""Exercise 3: rate() and sum by — how busy each node's CPU is, and its network throughput."""

from exercises import answers
from exercises.base import Exercise, done, missing, say

CPU, NETWORK = "3-cpu.promql", "3-network.promql"
NETWORK_SCALES = {say("o/s", "B/s"): 1, say("bit/s", "bit/s"): 1 / 8, say("Kio/s", "KiB/s"): 2**10, say("ko/s", "kB/s"): 1e3,
                  say("kbit/s", "kbit/s"): 1e3 / 8, say("Mbit/s", "Mbit/s"): 1e6 / 8, say("Mio/s", "MiB/s"): 2**20}


def _per_node_rate(ctx, answer, counter):
    """(per-node values, (window, function), findings) of an answer that must read `counter` with a rate
    over a window; the values are None when there is nothing to compare yet."""
    expr, result, found = answers.asked(ctx, answer)
    if expr is None:
        return None, (None, None), found
    window, function = answers.window_and_function(expr)
    if not function or not window:
        return None, (None, None), found + [missing(f"{counter} est un compteur : il ne fait que croître. Lisez-le avec rate(...[1m])",
                                            f"{counter} is a counter: it only grows. Read it with rate(...[1m])")]
    if result is None:
        return None, (None, None), found
    student, problems = answers.by_node(ctx, result)
    # increase() over a window is rate() times the window: the same reading, in another unit of time.
    return student, (window, "rate" if function == "increase" else function), found + problems


def _cpu(ctx):
    student, (window, function), found = _per_node_rate(ctx, CPU, "node_cpu_seconds_total")
    if student is None:
        return found
    idle = ctx.query(f'avg by (node) ({function}(node_cpu_seconds_total{{mode="idle"}}[{window}]))')
    busy = {s["metric"]["node"]: 1 - answers.value(s) for s in idle}
    # Busy as 1 - idle or as the sum of the other modes differ by a hair (steal, rounding): 2 points of slack.
    unit = answers.scale_of(student, busy, answers.SHARE, rel=0, absolute=0.02)
    if unit:
        return found + [done(f"la part de CPU occupée de chaque nœud, juste (en {unit.fr})",
                             f"every node's busy CPU, right (as a {unit.en})")]
    node = sorted(student)[0]
    return found + [missing(f"pour {node} elle donne {student[node]:.3g}, le CPU y est occupé à {busy[node]:.3g} (part) : "
                            "occupé, c'est tout sauf idle",
                            f"for {node} it gives {student[node]:.3g}, its CPU is {busy[node]:.3g} busy (share): busy is "
                            "everything but idle")]


def _network(ctx):
    student, (window, function), found = _per_node_rate(ctx, NETWORK, "node_network_receive_bytes_total")
    if student is None:
        return found
    per_device = {}
    for s in ctx.query(f"sum by (node, device) ({function}(node_network_receive_bytes_total[{window}]))"):
        per_device.setdefault(s["metric"]["node"], {})[s["metric"]["device"]] = answers.value(s)
    # Every device, every device but lo, or one device: each is a fair reading of "what the node receives".
    choices = {"all": lambda d: sum(d.values()), "no lo": lambda d: sum(v for k, v in d.items() if k != "lo")}
    choices |= {dev: (lambda d, dev=dev: d.get(dev, float("nan"))) for devs in per_device.values() for dev in devs}
    for how in choices.values():
        truth = {n: how(per_device.get(n, {})) for n in student}
        unit = answers.scale_of(student, truth, NETWORK_SCALES, rel=0.02, absolute=0.5)
        if unit:
            return found + [done(f"ce que reçoit chaque nœud, juste (en {unit.fr})", f"what every node receives, right (in {unit.en})")]
    return found + [missing("ce n'est pas ce que reçoit chaque nœud par seconde (node_network_receive_bytes_total)",
                            "that is not what every node receives per second (node_network_receive_bytes_total)")]


def check(ctx):
    return _cpu(ctx) + _network(ctx)


def undo(ws):
    ws.remove(f"answers/{CPU}")
    ws.remove(f"answers/{NETWORK}")


EXERCISE = Exercise(
    number=3,
    title=say("rate() et sum by : CPU et réseau", "rate() and sum by: CPU and network"),
    learn=say("lire un compteur avec rate(), agréger par nœud", "reading a counter with rate(), aggregating per node"),
    hints=(
        say("node_cpu_seconds_total compte, par cœur et par mode (idle, user, system…), les secondes passées depuis le "
            "démarrage : seule sa pente vous intéresse.",
            "node_cpu_seconds_total counts, per core and per mode (idle, user, system…), the seconds spent since boot: "
            "only its slope matters."),
        say("rate(compteur[1m]) donne la pente par seconde. Pour le CPU, c'est une part de temps (0 à 1) par cœur.",
            "rate(counter[1m]) gives the slope per second. For the CPU, it is a share of time (0 to 1) per core."),
        say("Occupé = 1 - idle. Un nœud a plusieurs cœurs : avg by (node) (...). Le réseau : sum by (node) (...) sur "
            "node_network_receive_bytes_total.",
            "Busy = 1 - idle. A node has several cores: avg by (node) (...). The network: sum by (node) (...) over "
            "node_network_receive_bytes_total."),
    ),
    check=check,
    undo=undo,
)
