"""Exercise 1: read the targets, and count those that are up, per job."""

from exercises import answers
from exercises.base import Exercise, done, missing, say

ANSWER = "1.promql"


def check(ctx):
    expr, result, found = answers.asked(ctx, ANSWER)
    if result is None:
        return found
    truth = {s["metric"]["job"]: answers.value(s) for s in ctx.query("sum by (job) (up)")}
    if any("job" not in s["metric"] for s in result):
        return found + [missing(f"le résultat a {len(result)} série(s) sans étiquette job : il faut un nombre par job",
                                f"the result has {len(result)} series without a job label: one number per job is wanted")]
    per_job = {}
    for s in result:
        per_job.setdefault(s["metric"]["job"], []).append(answers.value(s))
    several = sorted(j for j, v in per_job.items() if len(v) > 1)
    if several:
        return found + [missing(f"plusieurs séries pour le job {several[0]} : une seule valeur par job (regroupez)",
                                f"several series for job {several[0]}: one value per job (aggregate)")]
    if set(per_job) != set(truth):
        absent = sorted(set(truth) - set(per_job))
        return found + [missing(f"il manque des jobs : {', '.join(absent)}", f"jobs are missing: {', '.join(absent)}")]
    wrong = sorted(j for j in truth if per_job[j][0] != truth[j])
    if wrong:
        j = wrong[0]
        return found + [missing(f"pour le job {j}, votre requête donne {per_job[j][0]:g} : ce n'est pas le nombre de cibles up",
                                f"for job {j} your query gives {per_job[j][0]:g}: that is not the number of targets up")]
    return found + [done(f"un nombre par job, juste pour les {len(truth)} jobs", f"one number per job, right for all {len(truth)} jobs")]


def undo(ws):
    ws.remove(f"answers/{ANSWER}")


EXERCISE = Exercise(
    number=1,
    level=say("facile", "easy"),
    title=say("Les cibles et up", "Targets and up"),
    learn=say("ce qu'est une cible, ce que vaut up, et compter par job", "what a target is, what up says, and counting per job"),
    hints=(
        say("Ouvrez la page des cibles de Prometheus : chaque cible a un job. La métrique up vaut 1 par cible qui répond.",
            "Open Prometheus' targets page: every target has a job. The metric up is 1 for each target that answers."),
        say("Additionner des séries en gardant une étiquette : sum by (<étiquette>) (...)",
            "Adding series up while keeping one label: sum by (<label>) (...)"),
        say("Une cible qui ne répond pas a up == 0 : sommer up, ou compter up == 1, donne les cibles qui répondent.",
            "A target that does not answer has up == 0: summing up, or counting up == 1, gives the targets that answer."),
    ),
    check=check,
    undo=undo,
)
