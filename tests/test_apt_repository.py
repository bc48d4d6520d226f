"""A vendor APT repository is trusted only with the signing key of the pinned fingerprint."""

import shutil
import subprocess

import pytest

from provision import install, steps

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed (Debian: gnupg)")


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    """(armored public key, fingerprint) of a key made for this test."""
    home = tmp_path_factory.mktemp("gnupg")
    gpg = ["gpg", "--batch", "--homedir", str(home), "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*gpg, "--quick-gen-key", "promlab test <test@promlab.invalid>", "ed25519", "sign", "never"],
                   check=True, capture_output=True)
    armored = subprocess.run([*gpg, "--armor", "--export"], check=True, capture_output=True).stdout
    listing = subprocess.run([*gpg, "--with-colons", "--list-keys"], check=True, capture_output=True, text=True).stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    return armored, fingerprint


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
