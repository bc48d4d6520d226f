"""Exercise 3: rate() and sum by — how busy each node's CPU is, and its network throughput."""

from exercises import answers, grading, units
from exercises.base import Exercise, say

CPU, NETWORK = "3-cpu.promql", "3-network.promql"
RATES = {"rate", "irate", "increase", "deriv"}
DATASETS = ("cpu-network-a", "cpu-network-b")
# Busy is everything but idle, a share per CPU averaged over the node's CPUs; the modes other than user and system
# are a hair of it (3 points of slack: "user + system" is right too).
CPU_QUESTION = grading.Question(
    datasets=DATASETS, absolute={0: 0.03},
    readings=(grading.Reading('1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', units.SHARE),),
    what=say("la part occupée de ses CPU", "the busy share of its CPUs"))
# What a node receives: every device, or every device but lo (the node talking to itself).
NETWORK_QUESTION = grading.Question(
    datasets=DATASETS, rel=0.02,
    readings=(grading.Reading("sum by (node) (rate(node_network_receive_bytes_total[5m]))", units.BYTES_PER_SECOND),
              grading.Reading('sum by (node) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))', units.BYTES_PER_SECOND)),
    what=say("ce qu'il reçoit par seconde (toutes interfaces, ou toutes sauf lo)",
             "what it receives per second (every device, or every device but lo)"))


def _counter_hint(expr, counter):
    """What the syntax tree says is missing: the counter read without a rate."""
    def hint(ctx):
        root = answers.tree(expr)
        if root is not None and counter in answers.metric_names(root) and not answers.functions(root) & RATES:
            return say(f"{counter} est un compteur : il ne fait que croître, lisez sa pente avec rate(...[1m])",
                       f"{counter} is a counter: it only grows, read its slope with rate(...[1m])")
        return None
    return hint


def _judge(question, counter):
    return lambda ctx, expr: grading.judge(ctx, question, expr, hint=_counter_hint(expr, counter))


JUDGES = {CPU: _judge(CPU_QUESTION, "node_cpu_seconds_total"), NETWORK: _judge(NETWORK_QUESTION, "node_network_receive_bytes_total")}


def check(ctx):
    found = []
    for name, judge in JUDGES.items():
        expr, read = answers.read(name)
        found += read
        if expr is not None:
            found += judge(ctx, expr)
    return found


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
    judges=JUDGES,
)
