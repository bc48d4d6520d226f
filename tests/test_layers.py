"""The rooms of the code and what each may import (docs/architecture.md), down to the module. provision/ is the guest's
room and the model it is derived from (Debian's Python, PyYAML and Jinja2 run it inside the guests): it imports
nothing of the host's room; host/ is the host's side of setting a lab up; labclient/ the client of a running lab;
the tests, exercises and scripts on top. Inside a room nothing low climbs back up, and no two modules import each
other, however far round."""

import ast

import pytest

from provision import inventory

ALLOWED = {  # folder: the project's folders its modules may import
    "provision": {"provision"},
    "host": {"provision", "host"},
    "labclient": {"provision", "host", "labclient"},
    "labtests": {"provision", "host", "labclient", "exercises", "labtests"},  # test_exercises proves the exercise checks
    "exercises": {"provision", "labclient", "exercises"},
    # the benchmark times the hostile corpus of tests/; the teacher notes' mistakes are the exercises' judges' words
    "scripts": {"provision", "host", "labclient", "exercises", "scripts", "tests"},
    "teacher": {"provision", "labclient", "exercises", "teacher"},
    "tests": {"provision", "host", "labclient", "exercises", "scripts", "tests"},
}
FOLDERS = set(ALLOWED)
MODULES = sorted(p for folder in ALLOWED for p in (inventory.REPO / folder).rglob("*.py"))


def _names(path):
    """The dotted names a module imports (top-level and function-level imports alike)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return found


def imported(path):
    """The project folders a module imports."""
    return {name.split(".")[0] for name in _names(path)} & FOLDERS


def module_name(path):
    relative = path.relative_to(inventory.REPO).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def graph(folder):
    """{module: the modules of the same folder it imports} (a package's __init__ counts as the package)."""
    paths = sorted((inventory.REPO / folder).rglob("*.py"))
    known = {module_name(p) for p in paths}
    found = {}
    for path in paths:
        me = module_name(path)
        found[me] = {n for n in _names(path) if n in known and n != me}
    return found


def circles(edges):
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(inventory.REPO)))
def test_a_module_imports_only_the_layers_below_it(path):
    folder = path.relative_to(inventory.REPO).parts[0]
    assert imported(path) <= ALLOWED[folder], f"{path.relative_to(inventory.REPO)} imports {sorted(imported(path) - ALLOWED[folder])}"


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_no_two_modules_of_a_room_import_each_other(folder):
    assert circles(graph(folder)) == []


# Low in provision/: what the schema, the model and the steps stand on. None of them climbs to the loader or the roles
# (the model asks the role modules for their services at run time, through roles.module).
LOW = ("provision.paths", "provision.catalogue", "provision.french", "provision.steps", "provision.schema",
       "provision.model", "provision.credentials", "provision.datasets", "provision.render")
HIGH = ("provision.inventory", "provision.roles", "provision.install", "provision.exporter")


@pytest.mark.parametrize("low", LOW)
def test_a_low_module_of_provision_climbs_to_no_higher_one(low):
    path = inventory.REPO / (low.replace(".", "/") + ".py")
    climbs = {n for n in _names(path) for high in HIGH if n == high or n.startswith(high + ".")}
    assert not climbs, f"{low} imports {sorted(climbs)}"


def test_the_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from labtests.lab import LAB\n")
    assert imported(bad) == {"labtests"}


def test_the_circle_check_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# One way into a node, one HTTP vocabulary (docs/architecture.md): in the rooms that reach a running lab, only
# labclient/ssh.py starts an ssh (or a `vagrant ssh`), only labclient/http.py sends requests' own HTTP.
REACHING = ("host", "labclient", "labtests", "exercises", "scripts")
ONE_WAY = {"into a node": "labclient/ssh.py", "HTTP": "labclient/http.py"}
VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "Session"}


def ways(path):
    """{"into a node", "HTTP"}: which of the two a module takes itself (an ssh command list, a call of requests)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.List, ast.Tuple)):
            words = [e.value for e in node.elts[:2] if isinstance(e, ast.Constant)]
            if words[:1] == ["ssh"] or words == ["vagrant", "ssh"]:
                found.add("into a node")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in VERBS
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "requests"):
            found.add("HTTP")
    return found


@pytest.mark.parametrize("path", [p for p in MODULES if p.relative_to(inventory.REPO).parts[0] in REACHING],
                         ids=lambda p: str(p.relative_to(inventory.REPO)))
def test_a_module_reaches_a_node_and_the_lab_s_http_only_through_labclient(path):
    relative = str(path.relative_to(inventory.REPO))
    own = {way for way in ways(path) if ONE_WAY[way] != relative}
    assert not own, f"{relative} takes its own way {sorted(own)}: use {', '.join(ONE_WAY[w] for w in sorted(own))}"


@pytest.mark.parametrize(("text", "way"), [('subprocess.run(["vagrant", "ssh", "node1", "-c", "id"])', "into a node"),
                                           ('subprocess.run(["ssh", "-F", config, "node1"])', "into a node"),
                                           ('requests.get("http://127.0.0.1:9090/-/ready")', "HTTP"),
                                           ('requests.request("DELETE", url)', "HTTP")])
def test_the_one_way_check_sees_a_way_of_its_own(tmp_path, text, way):
    module = tmp_path / "own.py"
    module.write_text(f"import requests, subprocess\n{text}\n")
    assert ways(module) == {way}
