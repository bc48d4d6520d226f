"""Names that mean one thing (docs/architecture.md, "Names"): the lab is `lab` wherever it is held, what lab.yaml
expects Prometheus to scrape is `targets()` (the model's) and what Prometheus scrapes is `active_targets()` (its own
word), and a module is named for what it holds: one classroom.py, the service's program."""

import ast

import pytest

from provision import inventory
from tests.test_layers import MODULES

OTHER_NAMES_OF_THE_LAB = {"the_lab", "a_lab", "current_lab"}


def bound(path):
    """Every name a module binds: variables, parameters, functions, methods."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
    return names


def defined(path):
    """The functions and methods a module defines."""
    return {n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _id(path):
    return str(path.relative_to(inventory.REPO))


@pytest.mark.parametrize("path", MODULES, ids=_id)
def test_the_lab_goes_by_one_name(path):
    assert not bound(path) & OTHER_NAMES_OF_THE_LAB, f"{_id(path)} calls the lab {sorted(bound(path) & OTHER_NAMES_OF_THE_LAB)}"


def test_only_the_model_defines_the_expected_targets():
    defining = [_id(p) for p in MODULES if "targets" in defined(p) and _id(p).split("/")[0] in ("labclient", "exercises")]
    assert defining == [], f"a client of the running lab defines targets() (the model's word): {defining}"


def test_one_module_is_named_classroom():
    assert [_id(p) for p in MODULES if p.name == "classroom.py"] == ["provision/files/classroom.py"]


def test_the_name_check_sees_the_lab_under_another_name(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f(the_lab):\n    lab = the_lab\n")
    assert bound(module) & OTHER_NAMES_OF_THE_LAB == {"the_lab"}
