"""What every exporter role does alike: its program, user, files and service, and the server it watches.

A role module for an exporter keeps only what is its own: the unit's flags (its
template), the server it watches and how that server lets it in.
"""

from provision import install, steps, waiting
from provision.render import Rendered, at, put


def services(lab, node, name):
    """(unit, port, listen address): an exporter listens on its node's lab address only."""
    return [(name, lab.components[name]["port"], node.ip)]


def unit(lab, node, name, **values):
    """The exporter's unit, from provision/roles/<name>/<name>.service.j2 (which extends templates/exporter.service.j2)."""
    component = lab.components[name]
    context = {"name": name, "node": node, "port": component["port"], "subject": component.get("subject"),
               "at": at(services(lab, node, name)),
               "programs": install.paths(component, lab.install_method), **values}
    return Rendered(f"/etc/systemd/system/{name}.service", f"{name}.service.j2", context)


def apply(run, lab, node, cache, name, files, admit=None, configs=None):
    """Program, user, `admit(run)` (the server lets the exporter's user in), files, service.
    The service restarts when its program or one of `files` changed; `configs(run, programs)` gives
    [(Rendered, validate)]: configuration checked before it replaces the old one, and reloaded."""
    programs, new_program = install.install(run, name, lab.components[name], lab.install_method, cache)
    steps.user(run, name, home="/nonexistent")
    if admit:
        admit(run)
    reload = False
    for item, validate in configs(run, programs) if configs else ():
        reload |= put(run, item, validate=validate)
    changed = False
    for item in files:
        changed |= put(run, item)
    steps.service(run, name, restart=changed or new_program, reload=reload)


def server(run, package, unit_name, ready, configure=None, on_change="reload", timeout=60):
    """The server an exporter watches, from the distribution: `configure(run)` (its own settings; True
    when they changed, then the server reloads or restarts), running, and accepting connections
    (`ready`, a command, succeeds) before the exporter needs it."""
    install.apt_package(run, package)
    changed = configure(run) if configure else False
    steps.service(run, unit_name, reload=changed and on_change == "reload", restart=changed and on_change == "restart")
    if run.check:  # nothing was started: waiting for it would only time out
        return
    waiting.until(lambda: run.sh(*ready, check=False), lambda proc: proc.returncode == 0, timeout,
                  f"{unit_name} accepting connections (`{' '.join(ready)}` succeeding)", error=steps.StepError)
