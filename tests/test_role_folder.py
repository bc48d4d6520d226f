"""A role is one folder: docs/architecture.md's worked example ("A role in one folder"), its three files and its
inventory lines, added to a throwaway copy of the repository, is found, rendered, validated and tested there with no
other edit. The files are taken from the page itself, so the example cannot drift from what works."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from provision.paths import REPO

ROLE = "process_exporter"
NODE = "node6"
PAGE = REPO / "docs" / "architecture.md"
BLOCK = re.compile(r"^```\w+ (\S+)(?: (\S+))?\n(.*?)^```$", re.M | re.S)


def blocks():
    """{(path, where or None): text} of the page's code blocks that name a file."""
    return {(path, where): text for path, where, text in BLOCK.findall(PAGE.read_text()) if "/" in path or path == "lab.yaml"}


def role_files():
    return {path: text for (path, where), text in blocks().items() if path.startswith(f"provision/roles/{ROLE}/")}


def run(root, *args, env=None, check=True):
    """A command of the copy, with this checkout's Python: what a contributor's `make` would run there."""
    done = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})})
    if check:
        assert done.returncode == 0, f"{' '.join(args)} failed in the copy:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=promlab", "-c", "user.email=promlab@localhost", *args], cwd=root,
                   check=True, capture_output=True)


def copy_of_the_repository(into):
    """The checkout's files (tracked and untracked, not ignored) in `into`: a repository of its own, so that what
    reads the committed files (tests/pristine.py) reads this copy's."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    git(into, "init", "-q")
    git(into, "add", "-A")
    git(into, "commit", "-qm", "the checkout")


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A copy of the repository with the example role added as the page says: its three files, its component in
    lab.yaml, and the role on node6."""
    root = tmp_path_factory.mktemp("with-a-role")
    copy_of_the_repository(root)
    for path, text in role_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    lab = yaml.safe_load((root / "lab.yaml").read_text())
    lab["components"][ROLE] = yaml.safe_load(blocks()[("lab.yaml", f"components.{ROLE}")])
    next(n for n in lab["nodes"] if n["name"] == NODE)["roles"].append(ROLE)
    (root / "lab.yaml").write_text(yaml.safe_dump(lab, sort_keys=False, allow_unicode=True))
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"a role: {ROLE}")
    return root


@pytest.fixture(scope="module")
def rendered(copy):
    run(copy, "-m", "host.rendering", "build/rendered")
    return copy / "build" / "rendered"


def test_the_example_is_three_files_in_the_role_s_folder():
    assert sorted(role_files()) == [f"provision/roles/{ROLE}/{name}" for name in
                                    ("__init__.py", f"{ROLE}.service.j2", "role.yaml")]


def test_the_role_is_found_without_a_list_edited(copy):
    found = run(copy, "-c", "from provision import catalogue; print(' '.join(catalogue.ROLES))").stdout.split()
    assert ROLE in found, f"the copy's catalogue found {found}"


def test_its_node_gets_its_hardened_unit_with_the_key_s_default(copy, rendered):
    unit = (rendered / NODE / "etc/systemd/system" / f"{ROLE}.service").read_text()
    lab = yaml.safe_load((copy / "lab.yaml").read_text())
    address = next(n for n in lab["nodes"] if n["name"] == NODE)["ip"]
    assert f"-web.listen-address={address}:9256" in unit and "-procnames=sshd,cron" in unit
    assert f"User={ROLE}" in unit and "CapabilityBoundingSet=" in unit


def test_prometheus_scrapes_its_job_on_its_node(rendered):
    config = yaml.safe_load((rendered / "node1/etc/prometheus/prometheus.yml").read_text())
    job = next((j for j in config["scrape_configs"] if j["job_name"] == "process"), None)
    assert job, f"no job process among {[j['job_name'] for j in config['scrape_configs']]}"
    targets = [t for group in job["static_configs"] for t in group["targets"]]
    assert targets and all(t.endswith(":9256") for t in targets), targets


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed (Debian's prometheus package has it)")
def test_promtool_accepts_the_prometheus_configuration_with_it(rendered):
    done = subprocess.run(["promtool", "check", "config", "--syntax-only",
                           str(rendered / "node1/etc/prometheus/prometheus.yml")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_its_key_is_in_the_reference_tables(copy):
    reference = run(copy, "-m", "provision.schema", "fr").stdout
    assert f"`components.{ROLE}.names`" in reference and "noms de commande" in reference


def test_the_inventory_with_it_is_valid(copy):
    run(copy, "-m", "host.vagrant", "--json")


def test_a_wrong_value_of_its_key_is_refused_in_one_sentence(copy):
    (copy / "wrong.yaml").write_text(f"extends: lab.yaml\ncomponents:\n  {ROLE}:\n    names: sshd cron\n")
    done = run(copy, "-m", "host.vagrant", env={"LAB_FILE": "wrong.yaml"}, check=False)
    problems = [line for line in done.stderr.splitlines() + done.stdout.splitlines() if line.strip().startswith("- ")]
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert problems == [f"  - components.{ROLE}.names: 'sshd cron' is not a list of command names; allowed: command names "
                        "separated by commas, such as sshd,cron (15 characters each at most)"], done.stdout + done.stderr


def test_the_roles_tests_pass_with_it(copy):
    done = run(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "tests/test_roles.py",
               "tests/test_layers.py", "-k", ROLE + " or layer or template or module", "-rA", check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(rf"PASSED .*\[{ROLE}\]", done.stdout), f"no test of {ROLE} ran:\n{done.stdout[-3000:]}"


def test_a_malformed_role_yaml_stops_a_command_in_one_sentence(copy, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(copy, broken, ignore=shutil.ignore_patterns(".git", "build"))
    spec = broken / "provision/roles" / ROLE / "role.yaml"
    spec.write_text(spec.read_text().replace("order: 95", "order: 90"))  # redis_exporter's place
    done = run(broken, "-m", "host.vagrant", check=False)
    assert (done.returncode, done.stderr.strip()) == (
        2, f"promlab: provision/roles/: {ROLE} and redis_exporter give the same order; each role its own")
