"""prometheus: the monitoring server; scrapes itself and every exporter in lab.yaml."""

from provision import install, steps
from provision.render import Rendered, put

NAME = "prometheus"
SERVICE = NAME
CONFIG = "/etc/prometheus/prometheus.yml"
DATA = "/var/lib/prometheus"


def files(lab, node):
    component = lab.components[NAME]
    context = {"lab": lab, "node": node, "port": component["port"], "jobs": lab.scrape_jobs(),
               "programs": install.paths(component, lab.install_method)}
    return [
        Rendered(CONFIG, "prometheus.yml.j2", context, group=NAME, mode=0o640),
        Rendered("/etc/systemd/system/prometheus.service", "prometheus.service.j2", context),
    ]


def check_config(run, promtool, path):
    """promtool must accept the new configuration before it replaces the old one."""
    proc = run.sh(promtool, "check", "config", str(path), check=False)
    if proc.returncode != 0:
        raise steps.StepError(f"the new {CONFIG} is refused by promtool; Prometheus keeps the old one:\n"
                              f"{(proc.stdout + proc.stderr).strip()}")


def apply(run, lab, node, cache):
    programs, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home=DATA)
    steps.directory(run, "/etc/prometheus", "root", NAME, 0o750)
    steps.directory(run, DATA, NAME, NAME, 0o750)
    config, unit = files(lab, node)
    config_changed = put(run, config, validate=lambda path: check_config(run, programs["promtool"], path))
    unit_changed = put(run, unit)
    steps.service(run, SERVICE, restart=unit_changed or new_binary, reload=config_changed)
