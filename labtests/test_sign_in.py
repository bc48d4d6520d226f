"""Signing in to the docker provider's machines (host/signin.py): Vagrant uses this checkout's key, which each
container's sshd trusts for `vagrant` alone; no other key opens a node, Vagrant's well-known key least of all."""

import glob
import io

import paramiko
import pytest

from host import signin
from labclient import ssh
from labtests.lab import LAB

# Vagrant's well-known private key, where Debian's package and HashiCorp's installers put it.
WELL_KNOWN = [*glob.glob("/usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant"),
              *glob.glob("/opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant*.key.*"),
              *glob.glob("/opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant")]


@pytest.fixture(scope="module")
def configs(ssh_config):
    """Vagrant's ssh-config of each docker machine (the others are virtual machines, signed in to Vagrant's way)."""
    machines = ssh.machines()
    if not any(provider == "docker" for _, provider in machines.values()):
        pytest.skip("no machine of this lab runs on the docker provider: virtual machines keep Vagrant's key replacement")
    parsed = paramiko.SSHConfig.from_path(ssh_config)
    return {name: parsed.lookup(name) for name, (_, provider) in machines.items() if provider == "docker"}


def sign_in(config, user, key):
    """Sign in to a node's sshd as `user` with `key` alone; True when it lets us in."""
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # the lab's own containers, made by this checkout
    try:
        client.connect(config["hostname"], port=int(config.get("port", 22)), username=user, pkey=key, timeout=10,
                       allow_agent=False, look_for_keys=False)
        return True
    except paramiko.AuthenticationException:
        return False
    finally:
        client.close()


@pytest.fixture(params=[n.name for n in LAB.nodes])
def node(request, configs):
    """A docker machine made since the lab signs in with the checkout's key (one made before keeps Vagrant's own
    until it is made again)."""
    name = request.param
    if configs[name]["identityfile"][0].endswith(f".vagrant/machines/{name}/docker/private_key"):
        pytest.skip(f"{name} was made before the lab signed in with the checkout's key and keeps Vagrant's own; "
                    "`make down && make up` moves it to the checkout's key")
    return name


def test_vagrant_signs_in_with_this_checkouts_key(configs, node):
    assert configs[node]["identityfile"] == [str(signin.KEY)]


def test_the_checkouts_key_opens_the_vagrant_account(configs, node):
    assert sign_in(configs[node], "vagrant", paramiko.PKey.from_path(signin.KEY))


def test_the_checkouts_key_does_not_open_root(configs, node):
    assert not sign_in(configs[node], "root", paramiko.PKey.from_path(signin.KEY))


def test_a_key_other_than_the_checkouts_is_refused(configs, node):
    assert not sign_in(configs[node], "vagrant", paramiko.Ed25519Key.from_private_key(_new_key()))


def test_vagrants_well_known_key_is_refused(configs, node):
    if not WELL_KNOWN:
        pytest.skip("Vagrant's well-known private key is not where Debian's package or HashiCorp's installers put it")
    assert not sign_in(configs[node], "vagrant", paramiko.PKey.from_path(WELL_KNOWN[0]))


def test_the_node_holds_no_key_file_of_its_own(hosts, node):
    keys = hosts[node].file("/home/vagrant/.ssh/authorized_keys")
    assert not keys.exists or not keys.content_string.strip(), f"{node}: authorized_keys holds {keys.content_string!r}"


def _new_key():
    """A key nobody trusts: made here, now."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                                     serialization.NoEncryption())
    return io.StringIO(pem.decode())
