"""redis_exporter: Redis' memory, clients and commands; the role also installs the Redis it watches.

The exporter signs in as the Redis ACL user `redis_exporter`, allowed only the read-only
commands it runs (PING, INFO, CONFIG GET, SLOWLOG, LATENCY ...). Its password is made on
the node at the first provisioning and stays there: Redis keeps only its sha256, the
exporter reads it from an environment file only root can read (systemd passes it on).
"""

import hashlib
import re
import secrets

from provision import exporter, steps
from provision.catalogue import SERVERS
from provision.render import Rendered, put

NAME = "redis_exporter"
SERVER_PACKAGE = SERVERS[NAME]  # the server it watches, from the distribution
SERVER_PORTS = {6379: "Redis"}  # what the server listens on (127.0.0.1)
# How a drill locks the exporter out of its server, and the way back: ACL changes made at run time
# are not in redis.conf, provisioning cannot see them, so the drill undoes it by hand.
LOCKOUT = ("redis-cli ACL SETUSER redis_exporter off", "redis-cli ACL SETUSER redis_exporter on")
REDIS_CONF = "/etc/redis/redis.conf"
USERS_CONF = "/etc/redis/promlab-users.conf"
ENV_FILE = f"/etc/{NAME}.env"
DROP_IN = "/etc/systemd/system/redis-server.service.d/promlab-container.conf"
SECRETS = (ENV_FILE,)  # files holding a credential: root's only (labtests/test_exporters.py checks it)
COMMANDS = ("ping", "info", "config|get", "client|setname", "client|list", "slowlog|get", "slowlog|len",
            "latency|latest", "select", "cluster|info")


def services(lab, node):
    return exporter.services(lab, node, NAME)


def files(lab, node, password_sha256="<sha256 of the password made on the node>"):
    return [Rendered(USERS_CONF, "redis-users.conf.j2", {"user": NAME, "password_sha256": password_sha256,
                                                         "commands": COMMANDS}, owner="redis", group="redis", mode=0o640,
                     secret=True),
            exporter.unit(lab, node, NAME, env_file=ENV_FILE)]


def password(run):
    """The exporter's password: the one the node already has, or a new one (the first time)."""
    env = run.path(ENV_FILE)
    found = re.search(r"^REDIS_PASSWORD=(\S+)$", env.read_text(), re.M) if env.is_file() else None
    value = found.group(1) if found else secrets.token_hex(24)
    steps.file(run, ENV_FILE, f"REDIS_USER={NAME}\nREDIS_PASSWORD={value}\n", mode=0o600, secret=True)
    return value


def in_container(run):
    return run.sh("systemd-detect-virt", "--quiet", "--container", check=False).returncode == 0


def users(run, users_conf):
    """redis.conf includes promlab's users file; the file defines the exporter's ACL user.
    In a container, Debian's redis-server unit needs ProtectProc= relaxed to start at all."""
    conf = run.path(REDIS_CONF).read_text()
    line = f"include {USERS_CONF}"
    changed = put(run, Rendered(DROP_IN, "redis-server-container.conf.j2", {})) if in_container(run) else False
    changed |= put(run, users_conf)
    if line not in conf.splitlines():
        changed |= steps.file(run, REDIS_CONF, conf.rstrip("\n") + f"\n\n# promlab: the exporter's ACL user\n{line}\n",
                              owner="redis", group="redis", mode=0o640)
    else:
        run.report(False, f"file {REDIS_CONF}", f"includes {USERS_CONF}")
    return changed


def apply(run, lab, node, cache):
    digest = hashlib.sha256(password(run).encode()).hexdigest()
    users_conf, unit = files(lab, node, digest)
    exporter.server(run, SERVER_PACKAGE, lab.components[NAME]["subject"], configure=lambda run: users(run, users_conf),
                    on_change="restart", ready=("redis-cli", "ping"))
    exporter.apply(run, lab, node, cache, NAME, [unit])
