"""Exercise 1: read the targets, and count those that are up, per job."""

from exercises import answers, grading
from exercises.base import Exercise, say

ANSWER = "1.promql"
# With a target down, "every target" and "every target up" part; with a job's only target down, its count is 0
# (an answer that leaves that job out says the same).
QUESTION = grading.Question(
    datasets=("targets-up", "targets-some-down"), by=("job",), missing_is_zero=True,
    readings=(grading.Reading("sum by (job) (up)", {say("cibles", "targets"): 1}),),
    what=say("les cibles up de ce job", "the targets of that job that are up"))


def judge(ctx, expr):
    return grading.judge(ctx, QUESTION, expr)


EXERCISE = Exercise(
    number=1,
    level=say("facile", "easy"),
    title=say("Les cibles et up", "Targets and up"),
    learn=say("ce qu'est une cible, ce que vaut up, et compter par job", "what a target is, what up says, and counting per job"),
    hints=(
        say("Ouvrez la page des cibles de Prometheus : chaque cible a un job. La métrique up vaut 1 par cible qui répond.",
            "Open Prometheus' targets page: every target has a job. The metric up is 1 for each target that answers.", page="targets"),
        say("Additionner des séries en gardant une étiquette : sum by (<étiquette>) (...)",
            "Adding series up while keeping one label: sum by (<label>) (...)"),
        say("Une cible qui ne répond pas a up == 0 : sommer up, ou compter up == 1, donne les cibles qui répondent.",
            "A target that does not answer has up == 0: summing up, or counting up == 1, gives the targets that answer."),
    ),
    check=answers.checked(ANSWER, judge),
    undo=answers.removed(ANSWER),
    judges={ANSWER: judge},
)
