"""host/signin.py: the key the docker provider's machines trust from their first start, and the refusal of an
image that would not let Vagrant in with it (scripts/docker_image.py, scripts/up.py)."""

import json
import os
import stat
import threading

import pytest
from cryptography.hazmat.primitives import serialization

from host import signin, vagrant
from provision import inventory
from scripts import docker_image


def public_of(key):
    loaded = serialization.load_ssh_private_key(key.read_bytes(), password=None)
    return loaded.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


@pytest.fixture
def key(tmp_path):
    return tmp_path / "ssh" / "docker_key"


def test_the_key_is_made_once_its_private_half_for_its_owner_alone(key):
    signin.ensure(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_the_public_half_is_readable_by_the_containers_sshd(key):
    signin.ensure(key)
    assert stat.S_IMODE(key.with_suffix(".pub").stat().st_mode) == 0o644


def test_the_public_half_is_that_of_the_private_half(key):
    signin.ensure(key)
    assert key.with_suffix(".pub").read_bytes().split()[:2] == public_of(key).split()


def test_a_key_already_made_is_kept_the_running_containers_trust_it(key):
    signin.ensure(key)
    before = key.read_bytes(), key.with_suffix(".pub").read_bytes()
    signin.ensure(key)
    assert (key.read_bytes(), key.with_suffix(".pub").read_bytes()) == before


def test_a_lost_public_half_is_derived_again_from_the_private_half(key):
    signin.ensure(key)
    private = key.read_bytes()
    key.with_suffix(".pub").unlink()
    signin.ensure(key)
    assert key.read_bytes() == private and key.with_suffix(".pub").read_bytes().split()[:2] == public_of(key).split()


def test_nodes_started_at_once_agree_on_one_pair(key):
    threads = [threading.Thread(target=signin.ensure, args=(key,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert key.with_suffix(".pub").read_bytes().split()[:2] == public_of(key).split()
    assert sorted(p.name for p in key.parent.iterdir()) == ["docker_key", "docker_key.pub"]


def test_the_containers_get_the_public_half_read_only_where_their_sshd_reads_it(key):
    assert signin.volume(key.with_suffix(".pub")) == f"--volume={key.with_suffix('.pub')}:/etc/ssh/promlab/authorized_key.pub:ro"


def test_the_vagrantfile_is_told_the_private_half_and_the_mount():
    lab = json.loads(vagrant.to_json(inventory.load(), env={}))
    assert lab["docker_key"] == str(signin.KEY) and signin.volume() in lab["docker_volumes"]


def test_provisioning_commands_make_the_key_before_vagrant_reads_it(monkeypatch, key, capsys):
    monkeypatch.setattr(signin, "KEY", key)
    monkeypatch.setattr(signin.ensure, "__defaults__", (key,))
    monkeypatch.setattr(vagrant, "sync_secrets", lambda: None)
    assert vagrant.main(["--json", "--secrets"]) == 0 and key.is_file()


def test_without_cryptography_one_sentence_says_to_make_the_venv(monkeypatch, key, capsys):
    def missing():
        raise signin.NoCryptography("the Python reading lab.yaml has no `cryptography` to make the lab's sign-in key: "
                                    "run `make venv` first")

    monkeypatch.setattr(signin, "_serialization", missing)
    monkeypatch.setattr(signin.ensure, "__defaults__", (key,))
    monkeypatch.setattr(vagrant, "sync_secrets", lambda: None)
    assert vagrant.main(["--json", "--secrets"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "make venv" in err and "Traceback" not in err


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    """A `docker` on PATH that answers `image inspect --format <the label> IMAGE` with $LABEL (no such image: $MISSING)."""
    script = tmp_path / "bin" / "docker"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\n[ "$1 $2 $3" = "image inspect --format" ] || exit 9\n'
                      '[ "$4" = \'{{index .Config.Labels "promlab.sign-in"}}\' ] || exit 8\n'
                      '[ -z "$MISSING" ] || exit 1\necho "$LABEL"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("MISSING", raising=False)
    return monkeypatch


@pytest.mark.parametrize(("label", "missing", "trusted"), [
    ("checkout-key", "", True),
    ("", "", False),  # an image made before (Vagrant's well-known key, replaced at first boot)
    ("yes", "", False),
    ("checkout-key", "1", False),  # no such image
])
def test_an_image_signs_in_only_with_the_label_docker_file_sets(fake_docker, label, missing, trusted):
    fake_docker.setenv("LABEL", label)
    fake_docker.setenv("MISSING", missing)
    assert docker_image.signs_in("promlab-node:offline") is trusted


def test_the_dockerfile_sets_the_label_the_check_asks_for():
    text = (inventory.REPO / "docker" / "Dockerfile").read_text()
    assert f'LABEL {signin.IMAGE_LABEL}="{signin.IMAGE_LABEL_VALUE}"' in text and signin.GUEST_KEY in text


def test_the_refusal_names_the_setting_the_image_and_what_to_do():
    said = docker_image.not_signing_in("promlab-node:offline", "LAB_DOCKER_IMAGE")
    assert said.startswith("promlab: LAB_DOCKER_IMAGE: the image promlab-node:offline ") and "make offline" in said
