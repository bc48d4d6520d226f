"""blackbox_exporter: probes from outside what the lab serves — every HTTP endpoint, every node
by ICMP, every node's SSH port by TCP (the list: Lab.probe_jobs(); the jobs: prometheus.yml.j2).

Its modules are in /etc/blackbox_exporter/blackbox.yml, checked with `--config.check`
before they replace the old ones; a change reloads the exporter (SIGHUP), no restart.
ICMP uses an unprivileged ping socket: the service keeps no capability.
"""

from provision import credentials, exporter, steps
from provision.render import Rendered, put

NAME = "blackbox_exporter"
CONFIG_DIR = "/etc/blackbox_exporter"
CONFIG = f"{CONFIG_DIR}/blackbox.yml"
PASSWORD = f"{CONFIG_DIR}/alertmanager-password"  # its probe of Alertmanager signs in with it


def services(lab, node):
    return exporter.services(lab, node, NAME)


def files(lab, node):
    user, password = credentials.alertmanager() if lab.authenticated else (None, None)
    context = {"user": user, "password_file": PASSWORD if password else None}
    found = [Rendered(CONFIG, "blackbox.yml.j2", context, group=NAME, mode=0o640),
             exporter.unit(lab, node, NAME, config=CONFIG)]
    if password:
        found.append(Rendered(PASSWORD, "", {}, content=password + "\n", group=NAME, mode=0o640, secret=True))
    return found


def apply(run, lab, node, cache):
    config, unit, *password = files(lab, node)

    def modules(run, programs):
        steps.directory(run, CONFIG_DIR, "root", NAME, 0o750)
        for item in password:  # first: the check reads the file the modules name
            put(run, item)
        check = steps.checked_by(run, programs[NAME], "--config.check", "--config.file", target=CONFIG, keeps=NAME)
        return [(config, check)]

    exporter.apply(run, lab, node, cache, NAME, [unit], configs=modules)
