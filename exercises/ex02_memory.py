"""Exercise 2: selectors and arithmetic — the memory each node uses."""

from exercises import answers
from exercises.base import Exercise, done, missing, say

ANSWER = "2.promql"
USED = "node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes"


def check(ctx):
    expr, result, found = answers.asked(ctx, ANSWER)
    if result is None:
        return found
    student, problems = answers.by_node(ctx, result)
    if problems:
        return found + problems
    used = {s["metric"]["node"]: answers.value(s) for s in ctx.query(USED)}
    total = {s["metric"]["node"]: answers.value(s) for s in ctx.query("node_memory_MemTotal_bytes")}
    share = {n: used[n] / total[n] for n in used}
    unit = answers.scale_of(student, used, answers.BYTES) or answers.scale_of(student, share, answers.SHARE)
    if unit:
        return found + [done(f"la mémoire utilisée de chaque nœud, juste (en {unit.fr})",
                             f"the memory every node uses, right (in {unit.en})")]
    node = sorted(student)[0]
    return found + [missing(f"pour {node} elle donne {student[node]:.4g} : ce n'est pas la mémoire utilisée, ni en octets "
                            "(ou Kio, Mio, Gio), ni en part, ni en pourcentage",
                            f"for {node} it gives {student[node]:.4g}: that is not the memory in use, in bytes (or KiB, "
                            "MiB, GiB), as a share or a percentage")]


def undo(ws):
    ws.remove(f"answers/{ANSWER}")


EXERCISE = Exercise(
    number=2,
    level=say("facile", "easy"),
    title=say("La mémoire utilisée par nœud", "Memory in use per node"),
    learn=say("sélecteurs, arithmétique entre séries, unités", "selectors, arithmetic between series, units"),
    hints=(
        say("node_exporter donne, par nœud, la mémoire totale et la mémoire disponible (cherchez node_memory_ dans "
            "l'explorateur de métriques).",
            "node_exporter gives, per node, the total memory and the memory available (look for node_memory_ in the "
            "metrics explorer)."),
        say("Deux séries aux mêmes étiquettes se soustraient : a - b. « Utilisée », c'est ce qui n'est pas disponible.",
            "Two series with the same labels subtract: a - b. “In use” is what is not available."),
        say("Octets, Mio (divisez par 1024 deux fois), part (divisez par le total) ou pourcentage : tout est accepté.",
            "Bytes, MiB (divide by 1024 twice), a share (divide by the total) or a percentage: all are accepted."),
    ),
    check=check,
    undo=undo,
)
