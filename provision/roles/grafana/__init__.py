"""grafana: dashboards on :3000, Prometheus its default datasource (with replicas: the global view, and each
replica as a datasource of its own), the admin password from lab.yaml."""

import json
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

from provision import credentials, install, render, steps, waiting
from provision.render import Rendered, put

NAME = "grafana"
SERVICE = "grafana-server"
CONFIG = "/etc/grafana/grafana.ini"
PASSWORD_FILE = "/etc/grafana/admin-password"  # grafana.ini reads it ($__file{}): no value of lab.yaml in the ini
DATA = "/var/lib/grafana"
DASHBOARDS = "/etc/grafana/dashboards"
CONFIG_DIRS = ("/etc/grafana", "/etc/grafana/provisioning", "/etc/grafana/provisioning/datasources",
               "/etc/grafana/provisioning/dashboards", DASHBOARDS)


ROLE_BOARDS = {"classroom.json": "classroom"}  # a dashboard installed only where the lab has that role
# The dashboards the lab ships (host/dashboards.py generates them); a student's own beside them in
# templates/dashboards/ are theirs (exercise 11 judges the workshop's).
SHIPPED = ("nodes.json", "prometheus.json", "services.json", "classroom.json")


SHIPPED_UID = "promlab-prometheus"  # the datasource uid the shipped dashboards name (host/dashboards.py generates them)


def _follow(part, uid):
    """Every reference to the shipped datasource uid in a dashboard's JSON made `uid`, in place."""
    if isinstance(part, dict):
        source = part.get("datasource")
        if isinstance(source, dict) and source.get("uid") == SHIPPED_UID:
            source["uid"] = uid
        for value in part.values():
            _follow(value, uid)
    elif isinstance(part, list):
        for value in part:
            _follow(value, uid)


def dashboard(name, uid, **private):
    """A dashboard as installed: as written; with another components.grafana.datasource_uid, its references to the
    lab's datasource following it (else every panel would ask a datasource that does not exist)."""
    if uid == SHIPPED_UID:
        return Rendered(f"{DASHBOARDS}/{name}", f"dashboards/{name}", {}, verbatim=True, **private)
    try:
        board = json.loads((render.TEMPLATES / "dashboards" / name).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):  # a student's file that is not JSON: Grafana says so, as it is
        return Rendered(f"{DASHBOARDS}/{name}", f"dashboards/{name}", {}, verbatim=True, **private)
    _follow(board, uid)
    return Rendered(f"{DASHBOARDS}/{name}", "", {}, content=json.dumps(board, indent=2, ensure_ascii=False) + "\n", **private)


def dashboard_files(lab):
    return sorted(p.name for p in (render.TEMPLATES / "dashboards").glob("*.json")
                  if p.name not in ROLE_BOARDS or lab.nodes_with(ROLE_BOARDS[p.name]))


def services(lab, node):
    """(unit, port, listen address): every interface, so that the forwarded port reaches it."""
    return [(SERVICE, lab.components[NAME]["port"], "0.0.0.0")]


def datasources(lab, uid):
    """[{name, uid, url, auth}], the default first: it has the uid the dashboards name."""
    view = lab.global_view
    servers = lab.endpoints("prometheus")
    if view is None:
        return [{"name": "Prometheus", "uid": uid, "url": servers[0].url, "auth": None}]
    auth = credentials.remote_write() if view.role == "victoriametrics" else None
    return [{"name": f"Global view ({view.role})", "uid": uid, "url": view.url, "auth": auth}] + [
        {"name": f"Prometheus {e.node.name}", "uid": f"{uid}-{e.node.name}", "url": e.url, "auth": None} for e in servers]


def files(lab, node):
    component = lab.components[NAME]
    programs = install.paths(component, lab.install_method)
    context = {"lab": lab, "node": node, "grafana": component, "programs": programs,
               "home": str(Path(programs["grafana"]).parent.parent),
               "datasources": datasources(lab, component["datasource_uid"]),
               "password_file": PASSWORD_FILE}
    private = {"group": NAME, "mode": 0o640}
    return [
        Rendered(CONFIG, "grafana.ini.j2", context, **private),
        Rendered(PASSWORD_FILE, "", {}, content=component["admin_password"], secret=True, **private),
        Rendered("/etc/grafana/provisioning/datasources/promlab.yaml", "grafana-datasource.yaml.j2", context, **private),
        Rendered("/etc/grafana/provisioning/dashboards/promlab.yaml", "grafana-dashboards.yaml.j2", context, **private),
        *(dashboard(name, component["datasource_uid"], **private) for name in dashboard_files(lab)),
        Rendered("/etc/systemd/system/grafana-server.service", "grafana-server.service.j2", context),
    ]


def apply(run, lab, node, cache):
    component = lab.components[NAME]
    programs, new_binary = install.install(run, NAME, component, lab.install_method, cache)
    steps.user(run, NAME, home=DATA)
    for directory in CONFIG_DIRS:
        steps.directory(run, directory, "root", NAME, 0o750)
    steps.directory(run, DATA, NAME, NAME, 0o750)
    *config, unit = files(lab, node)
    config_changed = [put(run, item) for item in config]  # every file, not only up to the first change
    config_changed.append(steps.only_files(run, DASHBOARDS, dashboard_files(lab)))
    unit_changed = put(run, unit)
    # Grafana has no reload: a changed file takes a restart.
    steps.service(run, SERVICE, restart=unit_changed or new_binary or any(config_changed))
    admin_password(run, component, programs["grafana"])


def _get(url, auth=None, timeout=5):
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _wait_healthy(base, timeout=90):
    waiting.until(lambda: _get(f"{base}/api/health"), lambda reply: reply[0] == 200 and json.loads(reply[1]).get("database") == "ok",
                  timeout, f"Grafana at {base} healthy", error=steps.StepError)


def admin_password(run, component, grafana):
    """Grafana takes admin_password only when it creates the admin: apply a changed one with its CLI."""
    base = f"http://127.0.0.1:{component['port']}"
    user, password = component["admin_user"], component["admin_password"]
    _wait_healthy(base)
    if _get(f"{base}/api/user", auth=(user, password))[0] == 200:
        return run.report(False, f"grafana admin {user}", "signs in with the password from lab.yaml")
    if run.check:
        return run.would(f"grafana admin {user}", "given the password from lab.yaml (it does not sign in with it)")
    home = str(Path(grafana).parent.parent)
    run.sh("runuser", "-u", NAME, "--", grafana, "cli", "--homepath", home, "--config", CONFIG,
           "admin", "reset-admin-password", "--password-from-stdin", input=password + "\n")
    status, body = _get(f"{base}/api/user", auth=(user, password))
    if status != 200:
        raise steps.StepError(f"grafana admin {user} still cannot sign in after the password reset: {status} {body[:200]!r}")
    return run.report(True, f"grafana admin {user}", "password reset to the one from lab.yaml")
