"""The teacher notes' table of mistakes: per exercise, each wrong answer of teacher/cases.yaml and what the check says
to it. Answers judged on the data sets are run on this machine's Prometheus (scripts/datasets.py): the table quotes the
check's own words; scripted attempts (done on the lab) are described by their script and the words the check uses.

    python3 -m scripts.mistakes en|fr     # the block docs/<lang>/teacher.md holds (tests/test_grading.py compares)

The exercises for Prometheus 3 (14 to 16) are made with a Prometheus 3 on the PATH (their answers do not run on a 2.x);
the others with Debian 12's 2.42 (a 3.x rounds a few of their numbers otherwise): each machine prints its own sections.
"""

import re
import sys
import tempfile
from pathlib import Path

from exercises import cases, exercises
from exercises.base import Context
from provision import inventory
from provision.french import french
from scripts.datasets import serving

HEAD = {"en": ("#### Exercise {n}", "| the student | the check says |"), "fr": ("#### Exercice {n}", "| l'élève | la vérification dit |")}


def _cell(text):
    """One table cell: line breaks and runs of plain spaces folded (the narrow and no-break spaces of French kept)."""
    return re.sub(r"[ \t\r\n]+", " ", str(text)).strip().replace("|", "\\|")


def _described(script):
    """What a scripted attempt does: its comment, after 'Exercise N:'."""
    lines = [line[2:] for line in (inventory.REPO / script).read_text().splitlines()[1:3] if line.startswith("# ")]
    return lines[0].split(": ", 1)[-1] if lines else script


def rows(lang, servers, keep=lambda number: True):
    """[(number, [(what the student did, what the check says)])] of the exercises `keep` keeps."""
    found = {}
    every = exercises()
    for case in cases.load():
        if case.right or not keep(case.number):
            continue
        if case.scripted:
            did, says = (french(case.did_fr), case.says_fr) if lang == "fr" else (_described(case.answer), case.says)
            shown = says.replace(".*", " … ")
            row = (f"{did} (`{case.answer}`)", f"«\u202f{shown}\u202f»" if lang == "fr" else f"“{shown}”")
        else:
            lab, server = servers(every[case.number].lab_file)  # the inventory it is written for
            findings = every[case.number].judges[case.file](Context(lab, prometheus=None, datasets=server), case.answer)
            said = next(f.text(lang) for f in findings if not f.done)
            shown = case.answer if isinstance(case.answer, str) else f"{case.answer['expr']} (for: {case.answer['for']})"
            row = (f"`{shown.strip()}`", said)
        found.setdefault(case.number, []).append(row)
    return sorted(found.items())


def table(lang, servers, keep=lambda number: True):
    title, header = HEAD[lang]
    out = []
    for number, found in rows(lang, servers, keep):
        out += ["", title.format(n=number), "", header, "| --- | --- |"]
        out += [f"| {_cell(what)} | {_cell(says)} |" for what, says in found]
    return "\n".join(out[1:]) + "\n"


def kept(text, keep):
    """A table of mistakes with only the sections of the exercises `keep` keeps."""
    parts = re.split(r"(?m)^(?=#### )", text)
    found = "".join(p for p in parts if not p.startswith("#### ") or keep(int(re.match(r"#### \S+ (\d+)", p).group(1))))
    return found.rstrip("\n") + "\n"


def with_servers(action):
    """action(servers) with a data sets' server per lab file, started on first use."""
    import contextlib

    started = {}
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        def servers(relative):
            if relative not in started:
                lab = inventory.load(inventory.REPO / relative, env={})
                folder = Path(tmp) / relative.replace("/", "-")
                folder.mkdir()
                started[relative] = (lab, stack.enter_context(serving(lab, folder)))
            return started[relative]
        return action(servers)


def _ours(number):
    from scripts.datasets import version

    return exercises()[number].prometheus3 == (int(version().split(".")[0]) >= 3)


if __name__ == "__main__":
    print(with_servers(lambda servers: table(sys.argv[1] if len(sys.argv) > 1 else "en", servers, _ours)), end="")
