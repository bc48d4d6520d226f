"""A vendor APT repository is trusted only with the signing key of the pinned fingerprint."""

import shutil
import subprocess

import pytest

from provision import install, steps

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed (Debian: gnupg)")


def _make_key(home, user):
    """(armored public key with an encryption subkey, fingerprint of its primary key), made in `home`."""
    gpg = ["gpg", "--batch", "--homedir", str(home), "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*gpg, "--quick-gen-key", user, "ed25519", "sign", "never"], check=True, capture_output=True)
    listing = subprocess.run([*gpg, "--with-colons", "--list-keys", user], check=True, capture_output=True, text=True).stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    subprocess.run([*gpg, "--quick-add-key", fingerprint, "cv25519", "encr", "never"], check=True, capture_output=True)
    armored = subprocess.run([*gpg, "--armor", "--export", fingerprint], check=True, capture_output=True).stdout
    return armored, fingerprint


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    """(armored public key, fingerprint) of a key made for this test."""
    return _make_key(tmp_path_factory.mktemp("gnupg"), "promlab test <test@promlab.invalid>")


@pytest.fixture(scope="module")
def other_key(tmp_path_factory):
    return _make_key(tmp_path_factory.mktemp("gnupg-other"), "someone else <else@promlab.invalid>")


def _repo(httpd, fingerprint):
    return {"url": "https://apt.example.invalid", "suite": "stable", "component": "main",
            "key_url": f"http://127.0.0.1:{httpd.server_port}/gpg.key", "key_fingerprint": fingerprint}


def test_pinned_key_installs_keyring_and_sources(server, run, key):
    httpd, files, _ = server
    armored, fingerprint = key
    files["/gpg.key"] = armored
    assert install.apt_repository(run, "vendor", _repo(httpd, fingerprint))
    assert run.path("/etc/apt/keyrings/vendor.asc").read_bytes() == armored
    sources = run.path("/etc/apt/sources.list.d/vendor.sources").read_text()
    assert "URIs: https://apt.example.invalid\n" in sources and "Signed-By: /etc/apt/keyrings/vendor.asc\n" in sources
    assert not install.apt_repository(run, "vendor", _repo(httpd, fingerprint)), "a second run changed something"


def test_key_with_another_fingerprint_is_refused(server, run, key):
    httpd, files, _ = server
    armored, fingerprint = key
    files["/gpg.key"] = armored
    pinned = "B53AE77BADB630A683046005963FA27710458545"
    with pytest.raises(steps.StepError, match=f"{fingerprint}.*not the pinned {pinned}"):
        install.apt_repository(run, "vendor", _repo(httpd, pinned))
    assert not run.path("/etc/apt/keyrings/vendor.asc").exists()
    assert not run.path("/etc/apt/sources.list.d/vendor.sources").exists()


def test_a_key_file_holding_another_key_as_well_is_refused(server, run, key, other_key):
    """The pinned key is in it, but so is another: apt would trust both. Nothing is installed."""
    httpd, files, _ = server
    files["/gpg.key"] = key[0] + other_key[0]
    with pytest.raises(steps.StepError, match=f"holds the keys {key[1]}, {other_key[1]}, not the pinned {key[1]} alone"):
        install.apt_repository(run, "vendor", _repo(httpd, key[1]))
    assert not run.path("/etc/apt/keyrings/vendor.asc").exists()


def test_a_keyring_that_gained_another_key_is_replaced_by_the_pinned_key_alone(server, run, key, other_key):
    httpd, files, _ = server
    files["/gpg.key"] = key[0]
    run.path("/etc/apt/keyrings").mkdir(parents=True)
    run.path("/etc/apt/keyrings/vendor.asc").write_bytes(key[0] + other_key[0])
    assert install.apt_repository(run, "vendor", _repo(httpd, key[1]))
    assert run.path("/etc/apt/keyrings/vendor.asc").read_bytes() == key[0]


def test_the_subkeys_of_the_pinned_key_are_not_other_keys(run, key, tmp_path):
    path = tmp_path / "key.asc"
    path.write_bytes(key[0])
    assert install.key_fingerprints(run, path) == [key[1]]


@pytest.mark.parametrize("field", ["url", "suite", "component"])
def test_a_repository_value_with_a_line_break_writes_no_sources(server, run, key, field):
    httpd, files, _ = server
    files["/gpg.key"] = key[0]
    repo = dict(_repo(httpd, key[1]), **{field: "main\nTrusted: yes"})
    with pytest.raises(steps.StepError, match="white space"):
        install.apt_repository(run, "vendor", repo)
    assert not run.path("/etc/apt/sources.list.d/vendor.sources").exists()
