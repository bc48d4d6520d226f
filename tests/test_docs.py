"""The workshop guide: French and English have the same structure and the same commands,
and every make target they name exists."""

import re

import pytest

from provision import inventory

DOCS = inventory.REPO / "docs"
PAGES = sorted(p.name for p in (DOCS / "en").glob("*.md"))
COMMAND = re.compile(r"^\s*((?:make|vagrant|curl|docker|sh|LAB_\w+=\S+ \S+|VAGRANT_\w+=\S+ make)\b.*)$")


def _commands(text):
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [m.group(1).split("  #")[0].rstrip() for block in blocks for line in block.splitlines() if (m := COMMAND.match(line))]


def test_both_languages_have_the_same_pages():
    assert PAGES and PAGES == sorted(p.name for p in (DOCS / "fr").glob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_both_languages_have_the_same_sections(page):
    def count(lang):
        return len(re.findall(r"^#+ ", (DOCS / lang / page).read_text(), re.M))
    assert count("en") == count("fr")


@pytest.mark.parametrize("page", PAGES)
def test_both_languages_give_the_same_commands(page):
    assert _commands((DOCS / "en" / page).read_text()) == _commands((DOCS / "fr" / page).read_text())


def test_every_make_target_in_the_guide_exists():
    makefile = (inventory.REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    named = {m for lang in ("en", "fr") for page in PAGES
             for m in re.findall(r"(?:`|^|&& )make ([a-z][a-z-]+)", (DOCS / lang / page).read_text(), re.M)}
    assert named and named <= targets, f"targets the guide names that the Makefile lacks: {sorted(named - targets)}"
