"""Check an exercise on the running lab and say, in the student's language, what is done and what is missing.

    python3 -m exercises N [--lang fr|en]    # make exercise N
    python3 -m exercises                     # the list of exercises
    python3 -m exercises reset N             # back to the start of exercise N (make reset-exercise N)

The language: --lang, else $LAB_LANG, else French when $LANG starts with fr, else English.
Exit 0 when the exercise is done, 1 when not, 2 on a usage error.
"""

import os
import sys

from exercises import checks, reset

TITLES = {
    1: ("La mémoire de node3 en PromQL", "node3's memory use in PromQL"),
    2: ("Collecter toutes les 10 secondes", "Scrape every 10 seconds"),
    3: ("Ajouter node7", "Add node7"),
    4: ("Un exporter de plus sur node6", "One more exporter on node6"),
    5: ("Une alerte sur la charge, et la faire sonner", "An alert on the load, and make it fire"),
    6: ("Un tableau de bord à vous", "A dashboard of your own"),
}
WORDS = {
    "fr": {"exercise": "Exercice", "done": "FAIT", "todo": "PAS ENCORE FAIT", "left": "point(s) restent à faire",
           "unknown": "exercices : 1 à", "list": "Les exercices (make exercise N) :", "reset": "remis au début de l'exercice"},
    "en": {"exercise": "Exercise", "done": "DONE", "todo": "NOT DONE YET", "left": "point(s) left to do",
           "unknown": "exercises: 1 to", "list": "The exercises (make exercise N):", "reset": "back to the start of exercise"},
}


def language(argv):
    if "--lang" in argv:
        return argv[argv.index("--lang") + 1]
    lang = os.environ.get("LAB_LANG") or ("fr" if os.environ.get("LANG", "").startswith("fr") else "en")
    return lang if lang in WORDS else "en"


def main(argv):
    lang = language(argv)
    words = WORDS[lang]
    args = [a for i, a in enumerate(argv) if a != "--lang" and (i == 0 or argv[i - 1] != "--lang")]
    if not args:
        print(words["list"])
        for number, (fr, en) in TITLES.items():
            print(f"  {number}. {fr if lang == 'fr' else en}")
        return 0
    doing_reset = args[0] == "reset"
    number = args[1] if doing_reset and len(args) > 1 else args[0]
    if not number.isdigit() or int(number) not in TITLES:
        print(f"{words['unknown']} {max(TITLES)}", file=sys.stderr)
        return 2
    number = int(number)
    if doing_reset:
        reset.reset(number)
        print(f"{words['reset']} {number}")
        return 0
    title = TITLES[number][0 if lang == "fr" else 1]
    print(f"{words['exercise']} {number} — {title}")
    findings = checks.run(number)
    for f in findings:
        print(f"  {'✔' if f.done else '✘'} {f.fr if lang == 'fr' else f.en}")
    missing = sum(not f.done for f in findings)
    print(words["done"] if not missing else f"{words['todo']} — {missing} {words['left']}")
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
