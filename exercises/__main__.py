"""`make exercise N [hint|start]` and `make reset-exercise N`: see exercises/__init__.py.

The language: --lang, else $LAB_LANG, else French when $LANG starts with fr, else English.
Exit 0 when the exercise is done (or the command did its work), 1 when not done, 2 on a usage
error, 3 when the lab cannot be asked (said in one sentence, with what to run).
"""

import re
import sys

import requests

from exercises import exercises
from exercises.base import Context, LabUnreachable, QueryRefused, say
from exercises.lang import french, language
from exercises.workspace import Workspace
from labclient import progress
from labclient.prom import why
from provision import inventory

WORDS = {
    "fr": {"exercise": "Exercice", "done": "FAIT", "todo": "PAS ENCORE FAIT", "left": "point(s) restent à faire",
           "learn": "Vous apprenez", "hint": "Indice", "more": "un indice : make exercise {n} hint",
           "nomore": "(c'était le dernier indice ; relisez le guide, docs/fr/exercises.md)",
           "no_number": "make reset-exercise attend le numéro d'un exercice, de 1 à {n} : make reset-exercise 3",
           "no_exercise": "il n'y a pas d'exercice « {given} » : les exercices vont de 1 à {n} (make exercise les liste)",
           "no_action": "« {given} » n'est pas une action de make exercise : make exercise {n} vérifie, "
                        "make exercise {n} hint donne un indice, make exercise {n} start prépare l'exercice",
           "list": "Les exercices (make exercise N ; un indice : make exercise N hint) :",
           "reset": "Exercice {n} remis au début.", "nothing": "rien à défaire pour l'exercice {n}", "builds": "après l'exercice {n}",
           "nostart": "l'exercice {n} n'a rien à préparer : lisez son énoncé dans docs/fr/exercises.md", "failed": "échec : {e}"},
    "en": {"exercise": "Exercise", "done": "DONE", "todo": "NOT DONE YET", "left": "point(s) left to do",
           "learn": "You learn", "hint": "Hint", "more": "a hint: make exercise {n} hint",
           "nomore": "(that was the last hint; read the guide again, docs/en/exercises.md)",
           "no_number": "make reset-exercise needs an exercise's number, 1 to {n}: make reset-exercise 3",
           "no_exercise": "there is no exercise \"{given}\": the exercises are 1 to {n} (make exercise lists them)",
           "no_action": "\"{given}\" is not an action of make exercise: make exercise {n} checks, make exercise {n} hint "
                        "gives a hint, make exercise {n} start prepares the exercise",
           "list": "The exercises (make exercise N; a hint: make exercise N hint):",
           "reset": "Exercise {n} is back at its start.", "nothing": "nothing to undo for exercise {n}", "builds": "after exercise {n}",
           "nostart": "exercise {n} has nothing to prepare: read it in docs/en/exercises.md", "failed": "failed: {e}"},
}


WORDS["fr"] = {k: french(v) for k, v in WORDS["fr"].items()}
WORDS["fr"]["colon"], WORDS["en"]["colon"] = "\u202f: ", ": "


def show_list(all_, lang, w):
    print(w["list"])
    for n, e in all_.items():
        after = f", {w['builds'].format(n=e.builds_on)}" if e.builds_on else ""
        after += ", Prometheus 3" if e.prometheus3 else ""
        print(f"  {n:2}. {e.title(lang)} ({e.level(lang)}{after})")
        print(f"      {w['learn']}{w['colon']}{e.learn(lang)}")


def hint(exercise, lang, w):
    given = progress.hints()
    k = given.get(str(exercise.number), 0)
    if k >= len(exercise.hints):
        print(f"{w['hint']} {len(exercise.hints)}/{len(exercise.hints)}{w['colon']}{exercise.hints[-1](lang)}")
        print(w["nomore"])
        return 0
    given[str(exercise.number)] = k + 1
    progress.save_hints(given)
    print(f"{w['hint']} {k + 1}/{len(exercise.hints)}{w['colon']}{exercise.hints[k](lang)}")
    _where(exercise.hints[k].page, lang)
    return 0


def _where(page, lang):
    """The address of the page a hint names, on the Prometheus that runs (its UI, or what to use without one)."""
    if page is None:
        return
    from labclient.lab import loaded
    from labclient.prom import Prometheus, QueryRefused, Unreachable
    from labclient.ui import pages

    url = loaded().prometheus.host_url
    try:
        print(f"  → {pages(Prometheus(url=url)).where(url, page, lang)}")
    except (QueryRefused, Unreachable):
        pass  # the lab does not answer: the hint stands on its own


def mark(finding):
    """✔ done, ✘ to do; → the student's answer shown back, neither (whether it is right is said on the lines after)."""
    return "→" if finding.echo else "✔" if finding.done else "✘"


def check(exercise, lang, w):
    lab = inventory.load()
    from labclient import identity
    from labclient.prom import Prometheus

    prometheus = Prometheus(lab)
    not_ours = identity.foreign(prometheus)
    if not_ours:  # never grade another checkout's lab as this one's
        print(not_ours[lang], file=sys.stderr)
        return 3
    print(f"{w['exercise']} {exercise.number} — {exercise.title(lang)}")
    findings = exercise.check(Context(lab, prometheus))
    for f in findings:
        print(f"  {mark(f)} {f.text(lang)}")
    left = sum(not f.done for f in findings)
    progress.record_check(exercise.number, passed=not left)
    if not left:
        print(w["done"])
        return 0
    print(f"{w['todo']} — {left} {w['left']} ({w['more'].format(n=exercise.number)})")
    return 1


def reset(exercise, lang, w):
    ws = Workspace(lang, out=print)
    exercise.undo(ws)
    progress.forget(exercise.number)
    print(w["reset"].format(n=exercise.number) if ws.changed else w["nothing"].format(n=exercise.number))
    return 0


def start(exercise, lang, w):
    if not exercise.start:
        print(w["nostart"].format(n=exercise.number))
        return 0
    exercise.start(Workspace(lang, out=print))
    return 0


def main(argv):
    lang = language(argv)
    w = WORDS[lang]
    args = [a for i, a in enumerate(argv) if a != "--lang" and (i == 0 or argv[i - 1] != "--lang") and a != ""]
    try:
        return _run(args, exercises(), lang, w)
    except LabUnreachable as e:
        print(e.text(lang), file=sys.stderr)
    except inventory.InventoryError as e:
        print(f"{e}", file=sys.stderr)
    except requests.RequestException as e:
        reason = why(e)
        print(say(f"le lab ne répond pas ({reason['fr']}) : lancez `make status`, puis `make up`.",
                  f"the lab does not answer ({reason['en']}): run `make status`, then `make up`.")(lang), file=sys.stderr)
    except QueryRefused as e:
        print(say(f"Prometheus refuse une requête de la vérification ({e}) : signalez-le à l'enseignant.",
                  f"Prometheus refuses one of the check's queries ({e}): tell the teacher.")(lang), file=sys.stderr)
    except (RuntimeError, OSError) as e:
        print(w["failed"].format(e=e), file=sys.stderr)
    return 3


def _run(args, all_, lang, w):
    if not args:
        show_list(all_, lang, w)
        return 0
    doing_reset = args[0] == "reset"
    number, action = (args[1] if len(args) > 1 else "", "reset") if doing_reset else (args[0], args[1] if len(args) > 1 else "check")
    actions = {"check": check, "hint": hint, "start": start, "reset": reset}
    if not number:
        print(w["no_number"].format(n=max(all_)), file=sys.stderr)
        return 2
    # ASCII digits, a few: str.isdigit takes "²" and thousands of digits, which int() then refuses with a traceback
    if not re.fullmatch(r"[0-9]{1,3}", number, re.ASCII) or int(number) not in all_:
        print(w["no_exercise"].format(n=max(all_), given=number), file=sys.stderr)
        return 2
    if action not in actions or action == "reset" and not doing_reset:
        print(w["no_action"].format(n=number, given=action), file=sys.stderr)
        return 2
    return actions[action](all_[int(number)], lang, w)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
