"""What the nodes get, byte for byte: every file lab.yaml's and each example's nodes get is rendered from the committed
inventories and templates and compared with the digests tests/rendered.sha256 records (host/rendering.py says how they
are made). A refactoring proves here that it changes nothing a user sees; a change that means to alter what the nodes
get records new digests (`.venv/bin/python -m host.rendering --digests > tests/rendered.sha256`), and that file's diff
shows which files changed."""

import pytest

from host import rendering
from tests import pristine

RECORDED = [line for line in pristine.text("tests/rendered.sha256").splitlines() if line and not line.startswith("#")]


def _recorded(source):
    return {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in RECORDED if line.split("  ", 1)[1].startswith(f"{source}:")}


def test_every_inventory_has_its_digests_recorded():
    recorded = {line.split("  ", 1)[1].split(":", 1)[0] for line in RECORDED}
    assert recorded == set(rendering.inventories()), "tests/rendered.sha256 lacks an inventory, or records one that is gone"


@pytest.mark.parametrize("source", rendering.inventories())
def test_the_nodes_get_the_files_recorded_byte_for_byte(source):
    found = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in rendering.digests(pristine.raw(source), source)}
    recorded = _recorded(source)
    differ = sorted(path for path in found.keys() & recorded.keys() if found[path] != recorded[path])
    assert (sorted(found.keys() - recorded.keys()), sorted(recorded.keys() - found.keys()), differ) == ([], [], []), (
        f"{source}'s nodes get other files than tests/rendered.sha256 records (new, gone, changed): when the change means "
        "it, record them again: .venv/bin/python -m host.rendering --digests > tests/rendered.sha256")
