"""The nodes' Debian: 13 "trixie" by default, 12 "bookworm" through lab.yaml's boxes."""

import copy
import re

import pytest

from provision import inventory
from scripts import docker_image

DEBIAN12 = {"virtualbox": "bento/debian-12", "libvirt": "generic/debian12", "docker": "docker", "docker_debian": "bookworm"}


def _parse(raw):
    return inventory.parse(raw, env={})


def test_the_lab_runs_debian_13_by_default(lab_yaml):
    boxes = _parse(copy.deepcopy(lab_yaml)).boxes
    assert (boxes["docker_debian"], boxes["virtualbox"], boxes["libvirt"]) == ("trixie", "bento/debian-13", "debian/trixie64")


def test_a_lab_without_docker_debian_gets_trixie(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    del raw["boxes"]["docker_debian"]
    assert _parse(raw).boxes["docker_debian"] == "trixie"


def test_debian_12_boxes_are_accepted(lab_yaml):
    raw = copy.deepcopy(lab_yaml)
    raw["boxes"] = dict(DEBIAN12)
    assert _parse(raw).boxes == DEBIAN12


@pytest.mark.parametrize("value", ["sid", "12", "bookworm; rm -rf /", ["trixie"]])
def test_another_docker_debian_is_refused_naming_the_field(lab_yaml, value):
    raw = copy.deepcopy(lab_yaml)
    raw["boxes"]["docker_debian"] = value
    with pytest.raises(inventory.InventoryError, match=r"boxes\.docker_debian: .*allowed: trixie \| bookworm"):
        _parse(raw)


@pytest.mark.parametrize("release", ["trixie", "bookworm"])
def test_node_image_is_built_from_the_release_lab_yaml_names(release):
    command = docker_image.build_command("docker", release)
    assert command[command.index("--build-arg") + 1] == f"DEBIAN={release}"


def test_dockerfile_starts_from_the_debian_build_argument():
    text = (inventory.REPO / "docker" / "Dockerfile").read_text()
    assert re.search(r"^ARG DEBIAN=trixie\nFROM debian:\$\{DEBIAN\}$", text, re.M), "the Dockerfile's FROM ignores DEBIAN"


def test_vagrantfile_passes_the_release_when_it_builds_the_image():
    text = (inventory.REPO / "Vagrantfile").read_text()
    assert 'd.build_args = ["--build-arg", "DEBIAN=#{LAB["boxes"]["docker_debian"]}"]' in text


def test_offline_image_is_built_by_the_same_command_with_its_packages_preloaded():
    command = docker_image.build_command("docker", "bookworm", tags=("promlab-node:offline",), preload="prometheus redis")
    assert "DEBIAN=bookworm" in command and "PRELOAD=prometheus redis" in command
    assert command[command.index("--tag") + 1] == "promlab-node:offline" and command.count("--tag") == 1


def test_a_folder_without_dockerfile_is_refused_for_the_offline_image_too():
    with pytest.raises(inventory.InventoryError, match="boxes.docker: 'templates' has no Dockerfile"):
        docker_image.build_command("templates", "trixie", tags=("x",), preload="y")
