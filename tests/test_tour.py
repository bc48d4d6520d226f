"""The tour's tables are docs/tour.yaml's (the browser test walks the same steps), and every picture the guide shows
exists."""

import hashlib
import json
import re
import struct

import pytest

from provision.paths import REPO
from scripts import tour

DOCS = REPO / "docs"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("block", "make"), [("pages", tour.pages_table), ("queries", tour.queries_table)])
def test_the_tours_tables_are_the_tour_files(lang, block, make):
    page = (DOCS / lang / "tour.md").read_text()
    found = re.search(rf"<!-- {block}: python3 -m scripts.tour {lang} -->\n(.*?)<!-- end of {block} -->", page, re.S)
    assert found, f"docs/{lang}/tour.md has no {block} table"
    assert found.group(1) == make(lang), f"docs/{lang}/tour.md's {block} differ from docs/tour.yaml: paste `python3 -m scripts.tour {lang}`"


@pytest.mark.parametrize("page", sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")) + ["../README.md"])
def test_every_picture_the_guide_shows_exists(page):
    path = (DOCS / page).resolve()
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", path.read_text())
    missing = [i for i in images if not (path.parent / i).resolve().is_file()]
    assert not missing, f"{page} shows pictures that do not exist: {missing} (`make screenshots` takes them)"


@pytest.mark.parametrize(("lang", "words"), [("en", "the UI is not\npackaged"), ("fr", "l'interface n'est pas empaquetée")])
def test_the_tour_says_plainly_when_a_prometheus_has_no_web_ui(lang, words):
    assert words in (DOCS / lang / "tour.md").read_text(), f"docs/{lang}/tour.md does not say {words!r}"


def _pictures():
    from scripts import screenshots

    return json.loads(screenshots.MANIFEST.read_text()) if screenshots.MANIFEST.exists() else {}


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name", sorted(_pictures()) or [pytest.param(None, marks=pytest.mark.skip(
    reason="docs/img/pictures.json lists no picture yet: make screenshots takes them"))])
def test_each_picture_is_the_one_make_screenshots_took(name):
    from labclient.browser import SIZE

    data = (DOCS / "img" / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == _pictures()[name]["sha256"], \
        f"docs/img/{name} is not what make screenshots took: take it again, never edit it"
    assert _png_size(data) == SIZE, f"docs/img/{name}: {_png_size(data)}, not {SIZE}"


def test_every_picture_in_docs_img_was_taken_by_make_screenshots():
    found = {p.name for p in (DOCS / "img").glob("*.png")} if (DOCS / "img").is_dir() else set()
    assert found <= set(_pictures()), f"pictures not taken by make screenshots: {sorted(found - set(_pictures()))}"


def test_every_picture_taken_is_one_the_tour_lists():
    from labclient.ui import Pages
    from scripts import screenshots

    names = {screenshots.file_name(p, Pages("0", kind)) for p in screenshots.pictures() for kind in ("react", "classic")}
    assert set(_pictures()) <= names, f"pictures docs/tour.yaml does not list: {sorted(set(_pictures()) - names)}"


def _steps():
    """{picture file: its tour step now} for every UI."""
    from labclient.ui import Pages
    from scripts import screenshots

    return {screenshots.file_name(p, Pages("0", kind)): screenshots.step(p, kind)
            for p in screenshots.pictures() for kind in ("react", "classic")}


@pytest.mark.parametrize("name", sorted(_pictures()) or [pytest.param(None, marks=pytest.mark.skip(
    reason="docs/img/pictures.json lists no picture yet: make screenshots takes them"))])
def test_each_picture_is_no_older_than_the_tour_step_it_shows(name):
    taken = _pictures()[name].get("step")
    assert taken == _steps().get(name), (
        f"docs/img/{name} shows an older tour step than docs/tour.yaml's (its entry or its UI's pages changed since "
        f"it was taken on {_pictures()[name]['taken']}): `make screenshots` takes it again")
