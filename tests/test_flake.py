"""flake.nix and flake.lock: a supported NixOS release, locked, and Vagrant the one unfree package allowed.

nixpkgs itself cannot be fetched here; the flake's outputs are evaluated by nix-instantiate against a
stand-in nixpkgs (its lib functions and a package set that hands back the config it was given).
"""

import json
import re
import shutil
import subprocess

import pytest

from provision import inventory

FLAKE = inventory.REPO / "flake.nix"
LOCK = inventory.REPO / "flake.lock"
OLDEST_RELEASE = (26, 5)  # the current NixOS release when the flake was last moved
needs_nix = pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="nix-instantiate is not installed (Debian: nix-bin)")

STAND_IN = """
{ system, config ? {} }: {
  inherit system config;
  mkShell = attrs: attrs // { inherit config; };
  vagrant = { pname = "vagrant"; }; prometheus = { pname = "prometheus"; }; gnumake = { pname = "gnumake"; };
  ruff = { pname = "ruff"; };
  python3 = { withPackages = f: { pname = "python3-env"; packages = f {
    pytest = "pytest"; pytest-testinfra = "testinfra"; python-vagrant = "python-vagrant"; paramiko = "paramiko";
    jinja2 = "jinja2"; pyyaml = "pyyaml"; requests = "requests"; tornado = "tornado"; }; }; };
}
"""


def _input_ref():
    match = re.search(r'inputs\.nixpkgs\.url\s*=\s*"github:([^/"]+)/([^/"]+)/([^"]+)"', FLAKE.read_text())
    assert match, "flake.nix has no github nixpkgs input"
    return match.groups()


def _eval(tmp_path, expr):
    (tmp_path / "default.nix").write_text(STAND_IN)
    nixpkgs = f"""{{ outPath = {tmp_path}; lib = {{
        genAttrs = names: f: builtins.listToAttrs (map (n: {{ name = n; value = f n; }}) names);
        getName = pkg: pkg.pname; }}; }}"""
    shell = f"((import {FLAKE}).outputs {{ self = {{}}; nixpkgs = {nixpkgs}; }}).devShells.x86_64-linux.default"
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "--expr", f"let shell = {shell}; in {expr}"],
                          capture_output=True, text=True, env={"NIX_STATE_DIR": str(tmp_path / "state"), "HOME": str(tmp_path),
                                                                "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@needs_nix
def test_flake_parses():
    proc = subprocess.run(["nix-instantiate", "--parse", str(FLAKE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_flake_follows_a_current_nixos_release():
    _, repo, ref = _input_ref()
    match = re.fullmatch(r"nixos-(\d\d)\.(\d\d)", ref)
    assert repo == "nixpkgs" and match, f"nixpkgs input follows {ref!r}, not a NixOS release branch (nixos-YY.MM)"
    assert tuple(map(int, match.groups())) >= OLDEST_RELEASE, f"{ref} is older than the release the lab was moved to"


def test_flake_lock_pins_the_branch_flake_nix_names():
    owner, repo, ref = _input_ref()
    lock = json.loads(LOCK.read_text())
    node = lock["nodes"][lock["nodes"][lock["root"]]["inputs"]["nixpkgs"]]
    assert node["original"] == {"type": "github", "owner": owner, "repo": repo, "ref": ref}, node["original"]
    locked = node["locked"]
    assert (locked["type"], locked["owner"], locked["repo"]) == ("github", owner, repo)
    assert re.fullmatch(r"[0-9a-f]{40}", locked["rev"]), locked["rev"]
    assert re.fullmatch(r"sha256-[A-Za-z0-9+/]{43}=", locked["narHash"]), locked["narHash"]


@needs_nix
@pytest.mark.parametrize("package, allowed", [("vagrant", True), ("vscode", False), ("terraform", False)])
def test_vagrant_is_the_one_unfree_package_allowed(tmp_path, package, allowed):
    assert _eval(tmp_path, f'shell.config.allowUnfreePredicate {{ pname = "{package}"; }}') is allowed


@needs_nix
def test_flake_does_not_allow_every_unfree_package(tmp_path):
    assert _eval(tmp_path, "shell.config.allowUnfree or false") is False


@needs_nix
@pytest.mark.parametrize("package", ["vagrant", "prometheus", "gnumake", "ruff"])
def test_flake_shell_has_the_host_tool(tmp_path, package):
    assert package in _eval(tmp_path, "map (p: p.pname) shell.packages")


@needs_nix
@pytest.mark.parametrize("module", ["pytest", "testinfra", "python-vagrant", "paramiko", "jinja2", "pyyaml", "requests",
                                    "tornado"])
def test_flake_python_has_the_module(tmp_path, module):
    assert module in _eval(tmp_path, 'builtins.concatLists (map (p: p.packages or []) shell.packages)')
