"""How Vagrant signs in to the docker provider's machines: with a key of this checkout, trusted from their first start.

The key is made once per checkout (ed25519, under .promlab/ssh, only its owner reads the private half). Each container
gets the public half mounted read-only at GUEST_KEY, and its sshd (docker/Dockerfile) trusts that file for the
`vagrant` user alone. The image holds no key at all: no well-known key to replace (Vagrant's replacement cost about
3.6 s a machine before provisioning could start), nothing another checkout's key or a published key opens.

Virtual machines (VirtualBox, libvirt) keep Vagrant's way: their boxes carry its well-known key, replaced at first boot.
"""

import os
import tempfile

from provision.credentials import made_once
from provision.paths import REPO

KEY = REPO / ".promlab" / "ssh" / "docker_key"
PUBLIC_KEY = KEY.with_suffix(".pub")
GUEST_KEY = "/etc/ssh/promlab/authorized_key.pub"  # the Dockerfile's sshd reads it (AuthorizedKeysCommand)
IMAGE_LABEL = "promlab.sign-in"  # set by docker/Dockerfile: the image trusts GUEST_KEY and no other key
IMAGE_LABEL_VALUE = "checkout-key"


class NoCryptography(OSError):
    """The Python reading lab.yaml cannot make a key."""


def _serialization():
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise NoCryptography("the Python reading lab.yaml has no `cryptography` to make the lab's sign-in key: "
                             "run `make venv` first") from None
    return serialization


def _private():
    """A new ed25519 private key in OpenSSH's format, unencrypted (Vagrant and paramiko read it)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    s = _serialization()
    return Ed25519PrivateKey.generate().private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption())


def ensure(key=KEY):
    """The key pair at `key` and `key`.pub, made when there is none; a pair already there is kept as it is (the
    running containers trust it). Two Vagrant commands started at once agree on one pair: the private half appears
    whole, once (a hard link to a finished temporary file), and the public half is derived from whichever won."""
    public = key.with_suffix(".pub")
    if key.is_file() and public.is_file():
        return key
    made_once(key, _private)
    _write_public(key, public)
    return key


def _write_public(key, public):
    """The public half of the private key at `key`, written whole to `public`, readable by all."""
    s = _serialization()
    loaded = s.load_ssh_private_key(key.read_bytes(), password=None)
    text = loaded.public_key().public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH)
    fd, tmp = tempfile.mkstemp(dir=key.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(text + b" promlab\n")
    os.chmod(tmp, 0o644)  # sshd reads it in the container as `nobody`
    os.replace(tmp, public)


def volume(public=PUBLIC_KEY):
    """The docker option that mounts the public key where the containers' sshd reads it."""
    return f"--volume={public}:{GUEST_KEY}:ro"
