"""provision/schema.py is the one description of lab.yaml's keys: the docs are made from it, every key of
lab.yaml is in it, every key in it is documented in both languages, and no string type lets a control
character through."""

import re

import pytest

from provision import inventory, schema

ROWS = list(schema.rows())
LEAVES = [(path, key) for path, key in ROWS if not isinstance(key.type, (schema.Record, schema.ListOf, schema.MapOf))]
TEXTS = [(path, key) for path, key in ROWS + list(schema.ENVIRONMENT.items())
         if isinstance(key.type, (schema.Text, schema.Url, schema.Secret, schema.Duration, schema.Network, schema.Address))]


MAPS = {"sha256", "binaries"}  # MapOf keys: their entries are values (architectures, program names), not keys


def _paths(value, prefix=""):
    """Every key path of a loaded lab.yaml, spelled as the schema's rows (nodes[].name, components.<name>.port)."""
    if isinstance(value, list):
        for item in value:
            yield from _paths(item, prefix[:-1] + "[].")
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        path = f"{prefix}{key}"
        if prefix == "components.":
            yield from (f"components.{key}.{p}" if p.split(".")[0] in schema.EXTRA.get(key, {}) else f"components.<name>.{p}"
                        for p in _paths(item))
            continue
        yield path
        if key not in MAPS:
            yield from _paths(item, f"{path}.")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_docs_reference_is_the_schema(lang):
    page = (inventory.REPO / "docs" / lang / "lab-yaml.md").read_text()
    found = re.search(rf"<!-- reference: python3 -m provision.schema {lang} -->\n(.*?)<!-- end of reference -->", page, re.S)
    assert found, f"docs/{lang}/lab-yaml.md has no reference block"
    assert found.group(1) == schema.reference(lang), \
        f"docs/{lang}/lab-yaml.md's reference differs from the schema: paste `python3 -m provision.schema {lang}` into it"


@pytest.mark.parametrize(("path", "key"), ROWS + list(schema.ENVIRONMENT.items()), ids=[p for p, _ in ROWS] + list(schema.ENVIRONMENT))
def test_every_key_is_documented_in_both_languages(path, key):
    assert key.doc.strip() and key.fr.strip() and key.type.en.strip() and key.type.fr.strip()


def test_every_key_of_lab_yaml_is_in_the_schema(lab_yaml):
    paths = set(_paths(lab_yaml))
    assert "components.<name>.release.url" in paths and "components.grafana.admin_password" in paths
    assert paths - {path for path, _ in ROWS} == set()


@pytest.mark.parametrize(("path", "key"), TEXTS, ids=[p for p, _ in TEXTS])
@pytest.mark.parametrize("char", ["\n", "\r", "\x00", "\x1b", "\u202e", "\u2028"], ids=["LF", "CR", "NUL", "ESC", "RLO", "LS"])
def test_no_string_key_takes_a_control_character(path, key, char):
    assert key.type.wrong(f"a{char}b"), f"{path} accepts {char!r}"


@pytest.mark.parametrize(("path", "key"), LEAVES, ids=[p for p, _ in LEAVES])
def test_every_value_key_refuses_a_value_of_another_kind(path, key):
    assert key.type.wrong({"a": [1]}) or key.type.wrong(object()), f"{path} accepts a mapping"


@pytest.mark.parametrize(("value", "why"), [
    ("https://example.org/{version}/{arch}.tgz", None),
    ("https://example.org/{version}.tgz", "lacks"),
    ("https://example.org/{version}/{arch}/{0}", "placeholder other than"),
    ("https://example.org/{version!r}/{arch}", ""),
    ("https://example.org/{version:>10}/{arch}", ""),
    ("https://example.org/{version/{arch}", "unclosed"),
    ("ftp://example.org/{version}/{arch}", "not an https URL"),
    ("https://user@example.org/{version}/{arch}", "not an https URL"),
])
def test_a_release_url_takes_only_the_placeholders_the_code_fills(value, why):
    wrong = schema.component().keys["release"].type.keys["url"].type.wrong(value)
    assert (wrong is None) if why is None else (why in (wrong or "")), wrong


@pytest.mark.parametrize(("value", "why"), [
    ("https://example.org/v{version}/sha256sums.txt", None),
    ("https://example.org/{version}/app-{arch}.tgz.sha256", None),
    ("https://example.org/{arch}/sha256sums.txt", "lacks"),
    ("https://example.org/{version}/{os}.txt", "placeholder other than {version} and {arch}"),
])
def test_a_checksum_file_url_needs_the_version_and_may_name_the_arch(value, why):
    wrong = schema.component().keys["release"].type.keys["checksums"].type.wrong(value)
    assert (wrong is None) if why is None else (why in (wrong or "")), wrong


@pytest.mark.parametrize(("value", "seconds"), [("15s", 15), ("1m", 60), ("1h30m", 5400), ("500ms", 0.5), ("7d", 604800)])
def test_a_duration_in_seconds(value, seconds):
    assert schema.seconds(value) == seconds


def test_excerpts_are_bounded_whatever_the_value():
    nested = [[[[list(range(10**4))]]]] * 10**3
    assert len(schema.excerpt(nested)) < 200 and len(schema.excerpt("x" * 10**6)) < 200
