"""What the nodes get, byte for byte: every file lab.yaml's and each example's nodes get is rendered from the committed
inventories and templates and compared with the digests tests/rendered.sha256 records (host/rendering.py says how they
are made). A refactoring proves here that it changes nothing a user sees; a change that means to alter what the nodes
get records new digests (`.venv/bin/python -m host.rendering --digests > tests/rendered.sha256`), and that file's diff
shows which files changed."""

import pytest

from host import rendering
from tests import pristine


def parsed(lines):
    """{"<inventory>:<node>/<path>": sha256} from sha256sum-style lines (comments and blank lines skipped)."""
    return {entry: digest for digest, entry in (line.split("  ", 1) for line in lines if line and not line.startswith("#"))}


RECORDED = parsed(pristine.text("tests/rendered.sha256").splitlines())


def test_every_inventory_has_its_digests_recorded():
    recorded = {entry.split(":", 1)[0] for entry in RECORDED}
    assert recorded == set(rendering.inventories()), "tests/rendered.sha256 lacks an inventory, or records one that is gone"


@pytest.mark.parametrize("source", rendering.inventories())
def test_the_nodes_get_the_files_recorded_byte_for_byte(source):
    found = parsed(rendering.digests(pristine.raw(source), source))
    recorded = {entry: digest for entry, digest in RECORDED.items() if entry.startswith(f"{source}:")}
    differ = sorted(path for path in found.keys() & recorded.keys() if found[path] != recorded[path])
    assert (sorted(found.keys() - recorded.keys()), sorted(recorded.keys() - found.keys()), differ) == ([], [], []), (
        f"{source}'s nodes get other files than tests/rendered.sha256 records (new, gone, changed): when the change means "
        "it, record them again: .venv/bin/python -m host.rendering --digests > tests/rendered.sha256")
