"""Careless and hostile inventories: each is refused before anything boots, by the validator, `make check`
and `vagrant validate` alike, in sentences naming the field, never with a traceback, never with a hang.

The three commands run for every inventory at once (a thread pool), once per run (tests/once.py), then one
test per inventory and command reads what each said. The time each took is measured by `make bench`, not asserted here.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from provision import inventory
from tests.hostile import COMMANDS, CORPUS, GOOD, run, write
from tests.once import once_per_run


@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """{(inventory id, command): (exit code, what it said)} for the whole corpus, run in parallel, once per run."""
    def corpus():
        tmp = tmp_path_factory.mktemp("hostile")
        python = str(inventory.REPO / ".venv" / "bin" / "python")
        python = python if os.path.exists(python) else "python3"
        jobs = {(name, command): (COMMANDS[command](python), write(tmp, name, content))
                for name, content, _ in CORPUS for command in COMMANDS
                if command != "vagrant-validate" or shutil.which("vagrant")}
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {key: pool.submit(run, argv, path, tmp / f"dot-{key[0]}") for key, (argv, path) in jobs.items()}
            return [[*key, *future.result()] for key, future in futures.items()]

    return {(name, command): (code, said) for name, command, code, said in once_per_run(tmp_path_factory, "hostile", corpus)}


def test_the_corpus_is_large_and_each_case_is_distinct():
    assert len(CORPUS) >= 40 and len({name for name, _, _ in CORPUS}) == len(CORPUS)
    assert len({content if isinstance(content, bytes) else content.encode() for _, content, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("content", "why"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_the_validator_refuses_it_naming_the_field(tmp_path, content, why):
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.load(write(tmp_path, "lab", content), env={})
    assert any(why in problem for problem in refused.value.problems), refused.value.problems
    assert all(len(problem) < 600 and "\n" not in problem for problem in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("name", "why"), [(c[0], c[2]) for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_each_command_refuses_it_in_sentences_without_a_traceback(refusals, name, why, command):
    if (name, command) not in refusals:
        pytest.skip(f"{command}: vagrant is not installed")
    code, said = refusals[(name, command)]
    assert code not in (0, None), f"{command} {'hung' if code is None else 'accepted it'}: {said[-500:]}"
    assert why in said, f"{command} did not say {why!r}: {said[-800:]}"
    assert "Traceback" not in said and ".rb:" not in said, f"{command} crashed: {said[-800:]}"
    assert len(said) < 4000, f"{command} said {len(said)} characters: the excerpts are not bounded"


@pytest.mark.parametrize("command", COMMANDS)
def test_the_good_inventory_passes_the_command(tmp_path, command):
    if command == "vagrant-validate" and not shutil.which("vagrant"):
        pytest.skip("vagrant is not installed")
    python = str(inventory.REPO / ".venv" / "bin" / "python")
    inside = inventory.REPO / "build" / f"hostile-good-{command}"  # vagrant wants LAB_FILE inside the repository
    inside.mkdir(parents=True, exist_ok=True)
    try:
        code, said = run(COMMANDS[command](python), write(inside, "lab", GOOD), tmp_path / "dot")
    finally:
        shutil.rmtree(inside)
    assert code == 0, f"{command} refused lab.yaml itself: {said[-800:]}"


def test_nothing_in_the_corpus_ran(refusals):
    assert not os.path.exists("/tmp/promlab-pwned")
