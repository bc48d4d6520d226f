"""An inventory may be an overlay: `extends` names the inventory it changes, and it holds only what differs. The merge's
rules (inventory.merged), generated; every way `extends` can be wrong, refused in one sentence; the examples are such
overlays, written once: no key of theirs repeats lab.yaml's, no pin is written twice."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from host import rendering
from provision import inventory
from tests import pristine

KEYS = st.sampled_from(["lab", "nodes", "network", "port", "apt", "suite", "memory"])
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text("ab:/", max_size=5), st.lists(st.integers(), max_size=3))
TREES = st.recursive(LEAVES, lambda inner: st.dictionaries(KEYS, inner, max_size=3), max_leaves=6)
MAPPINGS = st.dictionaries(KEYS, TREES, max_size=3)


def _leaves(tree, at=()):
    """{path: value} of a tree's values that are not mappings (an empty mapping is a value of its own)."""
    if isinstance(tree, dict) and tree:
        return {path: value for key, sub in tree.items() for path, value in _leaves(sub, at + (key,)).items()}
    return {at: tree}


def _at(tree, path):
    for key in path:
        tree = tree[key]
    return tree


@settings(deadline=None)  # the first draw of a fresh run builds the strategies
@given(MAPPINGS, MAPPINGS)
def test_every_value_the_overlay_writes_is_the_merged_one(base, overlay):
    merged = inventory.merged(base, overlay)
    for path, value in _leaves(overlay).items():
        if isinstance(value, dict):  # an empty mapping merges into the base's: it replaces nothing
            continue
        assert _at(merged, path) == value


@settings(deadline=None)  # the first draw of a fresh run builds the strategies
@given(MAPPINGS, MAPPINGS)
def test_what_the_overlay_does_not_write_is_the_bases(base, overlay):
    merged = inventory.merged(base, overlay)
    for path, value in _leaves(base).items():
        replaced = [path[:i] for i in range(1, len(path) + 1)
                    if _has(overlay, path[:i]) and (i == len(path) or not isinstance(_at(overlay, path[:i]), dict))]
        if path and not replaced:
            assert _at(merged, path) == value


def _has(tree, path):
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return False
        tree = tree[key]
    return True


@settings(deadline=None)  # the first draw of a fresh run builds the strategies
@given(MAPPINGS, MAPPINGS)
def test_merging_changes_neither_the_base_nor_the_overlay(base, overlay):
    before = yaml.safe_dump([base, overlay])
    inventory.merged(base, overlay)
    assert yaml.safe_dump([base, overlay]) == before


def test_a_list_is_replaced_whole_never_merged_entry_by_entry():
    base = {"nodes": [{"name": "node1"}, {"name": "node2"}]}
    assert inventory.merged(base, {"nodes": [{"name": "classroom"}]}) == {"nodes": [{"name": "classroom"}]}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository of its own in tmp_path, lab.yaml the committed one: overlays are written there, never in the checkout."""
    tmp_path = tmp_path.resolve()
    monkeypatch.setattr(inventory, "REPO", tmp_path)
    (tmp_path / "examples").mkdir()
    (tmp_path / "lab.yaml").write_text(pristine.text("lab.yaml"), encoding="utf-8")
    return tmp_path


def _write(repo, relative, text):
    (repo / relative).parent.mkdir(parents=True, exist_ok=True)
    (repo / relative).write_text(text, encoding="utf-8")
    return repo / relative


def test_an_overlay_changes_only_what_it_writes(repo):
    path = _write(repo, "examples/mine.yaml", "extends: ../lab.yaml\nlab:\n  scrape_interval: 30s\n")
    lab, whole = inventory.load(path, env={}), pristine.lab()
    assert lab.scrape_interval == "30s"
    assert (lab.components, [n.name for n in lab.nodes], lab.network) == (whole.components, [n.name for n in whole.nodes], whole.network)


def test_an_overlay_may_extend_an_overlay(repo):
    _write(repo, "examples/mine.yaml", "extends: ../lab.yaml\nlab:\n  scrape_interval: 30s\n")
    path = _write(repo, "examples/theirs.yaml", "extends: mine.yaml\nlab:\n  install_method: apt\n")
    lab = inventory.load(path, env={})
    assert (lab.scrape_interval, lab.install_method) == ("30s", "apt")


def test_a_mistake_in_the_overlay_is_named_as_the_merged_inventorys_field(repo):
    path = _write(repo, "examples/mine.yaml", "extends: ../lab.yaml\nlab:\n  scrape_intervall: 30s\n")
    with pytest.raises(inventory.InventoryError, match=r"lab\.scrape_intervall"):
        inventory.load(path, env={})


@pytest.mark.parametrize(("files", "says"), [
    ({"examples/a.yaml": "extends: [../lab.yaml]\n"}, "extends: ['../lab.yaml'] is not a relative path"),
    ({"examples/a.yaml": "extends: ''\n"}, "extends: '' is not a relative path"),
    ({"examples/a.yaml": "extends: ../lab.yml\n"}, "extends: '../lab.yml' names no file (lab.yml)"),
    ({"examples/a.yaml": 'extends: "../lab.yaml\\e[2J"\n'}, "extends: '../lab.yaml\\x1b[2J' is not a relative path"),
    ({"examples/a.yaml": "extends: ../../lab.yaml\n"}, "is outside the repository"),
    ({"examples/a.yaml": "extends: a.yaml\n"}, "extends: 'a.yaml' leads back to examples/a.yaml"),
    ({"examples/a.yaml": "extends: b.yaml\n", "examples/b.yaml": "extends: a.yaml\n"}, "leads back to examples/a.yaml"),
    ({"examples/a.yaml": "extends: .\n"}, "names no file"),
    ({**{f"examples/{i}.yaml": f"extends: {i + 1}.yaml\n" for i in range(6)}, "examples/6.yaml": "extends: ../lab.yaml\n"},
     "makes a chain of more than 4 overlays"),
    ({"examples/a.yaml": "extends: b.yaml\n", "examples/b.yaml": "extends: ../lab.yaml\n  oops: [\n"}, "examples/b.yaml is invalid"),
], ids=["a-list", "empty", "a-missing-file", "a-control-character", "out-of-the-repository", "itself", "a-loop", "a-folder",
        "too-long-a-chain",
        "a-base-that-is-not-yaml"])
def test_a_wrong_extends_is_refused_in_one_sentence(repo, files, says):
    for relative, text in files.items():
        _write(repo, relative, text)
    with pytest.raises(inventory.InventoryError) as refused:
        inventory.load(repo / next(iter(files)), env={})
    assert says in str(refused.value) and len(refused.value.problems) == 1, str(refused.value)


EXAMPLES = [source for source in rendering.inventories() if source != "lab.yaml"]


@pytest.mark.parametrize("source", EXAMPLES)
def test_each_example_is_an_overlay_on_lab_yaml(source):
    own = yaml.safe_load(pristine.text(source))
    assert own.get("extends") == "../lab.yaml"


@pytest.mark.parametrize("source", EXAMPLES)
def test_an_example_writes_only_what_differs_from_lab_yaml(source):
    """Written once: a value an example repeats would no longer follow lab.yaml's when lab.yaml changes it."""
    own, base = yaml.safe_load(pristine.text(source)), pristine.raw("lab.yaml")
    repeated = [".".join(map(str, path)) for path, value in _leaves({k: v for k, v in own.items() if k != "extends"}).items()
                if _has(base, path) and _at(base, path) == value]
    assert repeated == [], f"{source} repeats lab.yaml's {repeated}"


@pytest.mark.parametrize("source", EXAMPLES)
def test_no_example_writes_a_release_pin(source):
    """A pin is written once, in lab.yaml: bumping a version edits one file."""
    components = yaml.safe_load(pristine.text(source)).get("components") or {}
    assert [name for name, c in components.items() if "release" in (c or {})] == []


def test_the_merged_inventory_is_shown_on_request(capsys):
    from host import vagrant

    assert vagrant.main(["--merged", "examples/forky.yaml"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown == pristine.raw("examples/forky.yaml") or shown == inventory.data(inventory.REPO / "examples/forky.yaml")


@pytest.mark.parametrize(("source", "keys", "holder"), [
    ("examples/forky.yaml", ("lab", "scrape_interval"), "lab.yaml"),
    ("examples/forky.yaml", ("lab", "install_method"), "examples/forky.yaml"),
    ("examples/forky.yaml", ("nodes",), "lab.yaml"),
    ("examples/ha.yaml", ("nodes",), "examples/ha.yaml"),
    ("examples/classroom.yaml", ("lab", "scrape_interval"), "examples/classroom.yaml"),
    ("lab.yaml", ("lab", "scrape_interval"), "lab.yaml"),
    ("examples/forky.yaml", ("lab", "no_such_key"), "lab.yaml"),
])
def test_the_file_to_edit_is_the_one_that_sets_the_value(source, keys, holder):
    """What exercises 5 and 6 name and reset: under examples/forky.yaml, the scrape interval is lab.yaml's."""
    found = inventory.origin(inventory.REPO / source, keys, read=pristine.read_committed)
    assert found == (inventory.REPO / holder).resolve()
