"""The layers of the code: what each folder may import (docs/architecture.md). provision/ is at the bottom
(it runs inside the guests with Debian's Python), labclient/ above it, the tests, exercises and scripts on top."""

import ast

import pytest

from provision import inventory

ALLOWED = {  # folder: the project's folders its modules may import
    "provision": {"provision"},
    "labclient": {"provision", "labclient"},
    "labtests": {"provision", "labclient", "exercises", "labtests"},  # test_exercises proves the exercise checks
    "exercises": {"provision", "labclient", "exercises"},
    # the benchmark times the hostile corpus of tests/; the teacher notes' mistakes are the exercises' judges' words
    "scripts": {"provision", "labclient", "exercises", "scripts", "tests"},
    "teacher": {"provision", "labclient", "exercises", "teacher"},
    "tests": {"provision", "labclient", "exercises", "scripts", "tests"},
}
FOLDERS = set(ALLOWED)
MODULES = sorted(p for folder in ALLOWED for p in (inventory.REPO / folder).rglob("*.py"))


def imported(path):
    """The project folders a module imports (top-level and function-level imports alike)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
        found |= {name.split(".")[0] for name in names} & FOLDERS
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(inventory.REPO)))
def test_a_module_imports_only_the_layers_below_it(path):
    folder = path.relative_to(inventory.REPO).parts[0]
    assert imported(path) <= ALLOWED[folder], f"{path.relative_to(inventory.REPO)} imports {sorted(imported(path) - ALLOWED[folder])}"


def test_the_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from labtests.lab import LAB\n")
    assert imported(bad) == {"labtests"}
