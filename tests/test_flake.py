"""flake.nix parses (it cannot be built here: no nixpkgs without the internet)."""

import shutil
import subprocess

import pytest

from provision import inventory


@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="nix-instantiate is not installed (Debian: nix-bin)")
def test_flake_parses():
    proc = subprocess.run(["nix-instantiate", "--parse", str(inventory.REPO / "flake.nix")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_flake_shell_has_the_host_tools():
    flake = (inventory.REPO / "flake.nix").read_text()
    for package in ("pkgs.vagrant", "pkgs.prometheus", "ps.pytest-testinfra", "ps.python-vagrant", "ps.jinja2", "ps.pyyaml", "ps.requests"):
        assert package in flake, f"the devShell lacks {package}"
