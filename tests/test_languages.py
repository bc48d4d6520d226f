"""Every command a student runs speaks their language: LAB_LANG=fr gives French (its typography: a narrow no-break
space before : ; ? !), LAB_LANG=en English, for the same facts. The commands that need no lab run here for real; those
that read a lab are checked with their lab faked (tests/test_status.py, tests/test_up.py)."""

import os
import re
import subprocess
import sys

import pytest

from provision.paths import REPO

COMMANDS = {  # what a student types: the program make runs, its arguments, its environment
    "make exercise": (["-m", "exercises"], {}),
    "make exercise 99": (["-m", "exercises", "99"], {}),
    "make exercise 3 foo": (["-m", "exercises", "3", "foo"], {}),
    "make reset-exercise": (["-m", "exercises", "reset", ""], {}),
    "make join CLASSROOM=ftp://x": (["-m", "labclient.classroom_student", "join"], {"CLASSROOM": "ftp://x"}),
    "make join, a credential on the command line": (["-m", "labclient.classroom_student", "join"],
                                                    {"CLASSROOM": "http://127.0.0.1:9", "CREDENTIAL": "x"}),
    "make leave": (["-m", "labclient.classroom_student", "leave"], {}),
    "make doctor": (["-m", "scripts.doctor"], {}),
}
FRENCH_WORDS = re.compile(r"\b(n'est|n'a|n'y|pas|avec|dans|aucune?|exercices?|numéro|vérifi\w*|quittée|permis|nœud|prêt)\b")


def _run(command, lang, tmp_path):
    args, extra = COMMANDS[command]
    home = tmp_path / lang
    home.mkdir()
    env = dict({k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "LANG", "LC_"))},
               LAB_LANG=lang, **extra)
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    return proc.stdout + proc.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_speaks_french_under_lab_lang_fr(command, tmp_path):
    said = _run(command, "fr", tmp_path)
    assert FRENCH_WORDS.search(said), f"{command} under LAB_LANG=fr:\n{said}"
    bare = [line for line in said.splitlines() if re.search(r"[^\s\u202f:/] ?: ", line) and " : " in line]
    assert not bare, f"{command}: a colon without its narrow no-break space:\n{bare}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_speaks_english_under_lab_lang_en(command, tmp_path):
    said = _run(command, "en", tmp_path)
    french = [line for line in said.splitlines() if "\u202f" in line or FRENCH_WORDS.search(line)]
    assert said.strip() and not french, f"{command} under LAB_LANG=en says French:\n{french}"
