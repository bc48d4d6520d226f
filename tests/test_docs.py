"""The workshop guide: French and English have the same structure and the same commands,
and every make target they name exists."""

import re

import pytest

from provision import inventory
from scripts import offline
from tests import pristine

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


# --- French pages are written for French readers ------------------------------------------------------------

CODE = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)]*\)|https?://[^\s)]+", re.S)
FRENCH_RULES = {
    "a plain or no-break space before : ; ? ! » (French wants U+202F)": re.compile(r"[ \u00a0][:;?!»]"),
    "a plain space after « (French wants U+202F)": re.compile(r"«[ \u00a0]"),
    "no space before ; ? ! (French wants U+202F)": re.compile(r"(?<=[A-Za-zÀ-ÿ)*])[;?!]"),
    "a plain space between a number and its unit (French wants U+00A0: 15 s, 0,8 Gio)":
        re.compile(r"\d (s|min|h|Gio|Mio|Go|Mo|Kio|ko|%)(?=\W|$)"),
    "a decimal point before a unit (French writes 0,8 Gio)": re.compile(r"\d\.\d+[ \u00a0](Gio|Mio|Go|Mo|s|%)(?=\W|$)"),
    "a time written 9:20 (French writes 9 h 20)": re.compile(r"(?<![\d.])\d{1,2}:\d\d(?!\d)"),
}


def french_prose(text):
    """A French page without its code, link targets and addresses: the prose French typography applies to."""
    return CODE.sub(" ", text)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("rule", FRENCH_RULES)
def test_french_page_follows_french_typography(page, rule):
    prose = french_prose((DOCS / "fr" / page).read_text())
    found = [prose[max(0, m.start() - 30):m.end() + 10].replace("\n", " ") for m in FRENCH_RULES[rule].finditer(prose)]
    assert not found, f"docs/fr/{page}: {rule}: {found[:5]}"


@pytest.mark.parametrize(("sample", "rule"), [
    ("le lab : six machines", "a plain or no-break space before : ; ? ! » (French wants U+202F)"),
    ("Bloqué?", "no space before ; ? ! (French wants U+202F)"),
    ("« oui\u202f»", "a plain space after « (French wants U+202F)"),
    ("toutes les 15 s", "a plain space between a number and its unit (French wants U+00A0: 15 s, 0,8 Gio)"),
    ("0.8\u00a0Gio", "a decimal point before a unit (French writes 0,8 Gio)"),
    ("| 13:30 | exercice 8", "a time written 9:20 (French writes 9 h 20)"),
])
def test_the_typography_check_catches_each_mistake(sample, rule):
    assert FRENCH_RULES[rule].search(french_prose(sample))


def test_code_and_addresses_are_not_held_to_french_typography():
    prose = french_prose("Lancez `make up` puis http://127.0.0.1:9090 et [la page](tour.md#a)\u202f:\n```sh\nls ; echo ?\n```")
    assert not any(rule.search(prose) for rule in FRENCH_RULES.values()), prose


@pytest.mark.parametrize("page", PAGES)
def test_french_pages_send_readers_only_to_french_pages(page):
    text = (DOCS / "fr" / page).read_text()
    links = [link.split("#")[0] for link in re.findall(r"\]\(([^)]+\.md(?:#[^)]*)?)\)", text)]
    english = [link for link in links if not (DOCS / "fr" / link).resolve().is_relative_to((DOCS / "fr").resolve())
               and "../en/" not in link]
    assert not english, f"docs/fr/{page} sends French readers to pages in English only: {english}"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("provider", ["virtualbox", "libvirt"])
def test_teacher_notes_add_the_box_lab_yaml_names(lang, provider):
    box = pristine.lab().boxes[provider]
    text = (DOCS / lang / "teacher.md").read_text()
    saved = offline.box_file(box, provider).relative_to(inventory.REPO)
    assert f"vagrant box add --name {box} {saved}" in text, \
        f"docs/{lang}/teacher.md does not add {provider}'s box {box} as make offline saves it"


def _slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


LINKED = [inventory.REPO / "README.md"] + sorted(DOCS.rglob("*.md"))


@pytest.mark.parametrize("page", LINKED, ids=[p.relative_to(inventory.REPO).as_posix() for p in LINKED])
def test_every_link_of_a_page_leads_somewhere(page):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
        if re.match(r"(https?:|mailto:)", target):
            continue
        path, _, anchor = target.partition("#")
        found = (page.parent / path).resolve() if path else page
        if not found.exists():
            broken.append(target)
        elif anchor and found.suffix == ".md":
            headings = {_slug(h) for h in re.findall(r"^#+ (.*)$", found.read_text(), re.M)}
            if anchor not in headings:
                broken.append(target)
    assert not broken, f"{page.name}: links that lead nowhere: {broken}"
