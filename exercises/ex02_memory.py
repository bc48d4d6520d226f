"""Exercise 2: selectors and arithmetic — the memory each node uses."""

from exercises import answers, grading, units
from exercises.base import Exercise, say

ANSWER = "2.promql"
# In use is what is not available: the page cache counts as available (total - free counts it as used).
QUESTION = grading.Question(
    datasets=("memory-a", "memory-b"),
    readings=(grading.Reading("node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes", units.BYTES),
              grading.Reading("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", units.SHARE)),
    what=say("la mémoire utilisée de ce nœud", "the memory that node uses"))


def judge(ctx, expr):
    return grading.judge(ctx, QUESTION, expr)


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
    check=answers.checked(ANSWER, judge),
    undo=answers.removed(ANSWER),
    judges={ANSWER: judge},
)
