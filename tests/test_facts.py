"""Every count and version the guide states comes from the code, lab.yaml or Debian's packages: a page that states
another fails here (the exercises, the labtests, the servers the exporters watch, the port the exercises' data sets
answer on, what `make check` needs and `make doctor` checks)."""

import re
import subprocess

import pytest

from exercises import exercises
from provision import catalogue, inventory
from provision.paths import REPO
from tests.collected import selected

PAGES = [REPO / "README.md"] + sorted((REPO / "docs").rglob("*.md"))
NUMBER_WORDS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "dix": 10,
                "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16}


def _ids(pages):
    return [p.relative_to(REPO).as_posix() for p in pages]


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_a_page_states_the_number_of_exercises_there_are(page):
    text, count = page.read_text(encoding="utf-8"), len(exercises())
    stated = re.findall(r"\b(\w+) (?:exercises|exercices)\b", text) + re.findall(r"\]\(exercises\.md\)\s?: (\w+)", text)
    numbers = {s: int(s) if s.isdigit() else NUMBER_WORDS.get(s.lower()) for s in stated}
    wrong = [s for s, n in numbers.items() if n is not None and n != count]
    assert not wrong, f"{page.name} states {wrong} exercises; there are {count}"


CHECKS = [p for p in PAGES if re.search(r"(about|environ) \d+ (checks|vérifications)", p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", CHECKS, ids=_ids(CHECKS))
def test_a_page_states_about_as_many_labtests_as_there_are(page, tmp_path_factory):
    collected = len(selected(tmp_path_factory)["all"])
    for stated in map(int, re.findall(r"(?:about|environ) (\d+) (?:checks|vérifications)", page.read_text())):
        assert abs(stated - collected) <= collected * 0.05, \
            f"{page.name} states about {stated} checks of the running lab; lab.yaml's collects {collected}"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("role", sorted(catalogue.SERVERS))
def test_the_exporters_page_states_each_servers_version_per_debian_release(lang, role):
    row = next(line for line in (REPO / "docs" / lang / "exporters.md").read_text().splitlines()
               if line.startswith(f"| `{role}` |"))
    assert f"| {catalogue.server_text(catalogue.SERVERS[role])} |" in row, row


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_laptop_fallback_says_the_checks_need_the_data_sets_port_the_tunnel_lacks(lang):
    port = inventory.load(REPO / "lab.yaml", env={}).components["prometheus"]["datasets_port"]
    text = (REPO / "docs" / lang / "teacher.md").read_text()
    tunnel = re.search(r"ssh -N (.*)", text).group(1)
    assert f"{port}:" not in tunnel and f"port {port}" in text, "the tunnel and what it carries disagree"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_prerequisites_name_promtool_for_make_check(lang):
    text = (REPO / "docs" / lang / "prerequisites.md").read_text()
    assert "promtool" in text and "make check" in text


def test_make_check_runs_promtool_as_the_prerequisites_say():
    assert "promtool check config" in (REPO / "Makefile").read_text()


def test_the_doctor_says_when_promtool_is_missing_without_counting_it(monkeypatch):
    from scripts import doctor

    monkeypatch.setenv("PATH", "/nonexistent")
    ok, (fr, en) = doctor.check_promtool()
    assert ok is None and "make check" in en and "make check" in fr


def test_make_helps_update_example_names_no_version_that_could_grow_old():
    help_text = subprocess.run(["make", "--no-print-directory", "help"], cwd=REPO, capture_output=True, text=True).stdout
    update = next(line for line in help_text.splitlines() if "--update" in line)
    assert not re.search(r"\d+\.\d+\.\d+", update), update


def test_the_readmes_table_names_every_make_target():
    makefile = (REPO / "Makefile").read_text()
    targets = re.search(r"^TARGETS := (.*)$", makefile, re.M).group(1).split()
    table = {m for m in re.findall(r"^\| `make ([a-z-]+)", (REPO / "README.md").read_text(), re.M)}
    missing = [t for t in targets if t not in table and t != "venv"]
    assert not missing, f"README.md's table of make targets lacks {missing}"


def test_the_readme_starts_where_a_student_starts():
    text = (REPO / "README.md").read_text()
    first = re.findall(r"^## (.*)$", text, re.M)[0]
    steps = [text.index(s) for s in ("prerequisites", "make doctor", "make up", "tour")]
    assert first == "Students: start here" and steps == sorted(steps), (first, steps)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_tours_example_of_the_wait_counts_the_targets_lab_yaml_gives(lang):
    lab = inventory.load(REPO / "lab.yaml", env={})
    stated = re.findall(r"(\d+)/(\d+) (?:targets up|cibles en marche)", (REPO / "docs" / lang / "tour.md").read_text())
    assert stated and all(int(total) == len(lab.targets()) + len(lab.probes()) for _, total in stated), stated


def test_the_pinned_versions_the_operators_page_states_are_lab_yamls():
    lab = inventory.load(REPO / "lab.yaml", env={})
    row = next(line for line in (REPO / "docs" / "operating.md").read_text().splitlines()
               if line.startswith("| `lab.yaml` as it is"))
    for name, shown in (("prometheus", "{}"), ("alertmanager", "Alertmanager {}"), ("node_exporter", "node_exporter {}")):
        major_minor = ".".join(str(lab.components[name]["version"]).split(".")[:2])
        assert shown.format(major_minor) in row, f"{name} {major_minor} is not what docs/operating.md states: {row}"
    assert f"Grafana {str(lab.components['grafana']['version']).split('.')[0]}" in row, row


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_prometheus3_page_states_each_feature_with_the_version_that_brought_it(lang):
    from provision import features

    page = (REPO / "docs" / lang / "prometheus3.md").read_text()
    found = re.search(rf"<!-- features: python3 -m provision.features {lang} -->\n(.*?)<!-- end of features -->", page, re.S)
    assert found, f"docs/{lang}/prometheus3.md has no table of features"
    assert found.group(1) == features.table(lang), f"paste `python3 -m provision.features {lang}` into docs/{lang}/prometheus3.md"
