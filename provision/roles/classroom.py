"""classroom: the teacher's classroom service (`make classroom`, examples/classroom.yaml). Students' labs report their
exercise progress and health to it (reports_port, each with the credential `make classroom` printed for them); the
Prometheus of the same node scrapes it (port: the metrics and the teacher's page, which reads the grid from that
Prometheus). Its roster and secret come from the teacher's checkout (provision/roster.py); the service holds the
credentials' hashes only, in a file readable by root and its own group.
"""

import json

from provision import credentials, paths, roster, steps
from provision.render import Rendered, at, put
from provision.schema import seconds

NAME = "classroom"
SERVICE = NAME
PROGRAM = "/usr/local/lib/promlab/classroom.py"
BOUNDED_SERVER = "/usr/local/lib/promlab/bounded_server.py"
STUDENTS = "/etc/classroom/students.json"
SECRET = credentials.CLASSROOM
SECRETS = (STUDENTS,)  # the credentials' hashes: root and the service's group only
EXERCISES = tuple(range(1, 14))  # the workshop's exercises (exercises/ holds 1 to 13)


def services(lab, node):
    """(unit, port, listen address): the reports and the page, on every interface, so that the forwarded ports reach
    them (as Grafana's); the reports are authenticated, the page is forwarded to the teacher's 127.0.0.1 only."""
    component = lab.components[NAME]
    return [(SERVICE, component["reports_port"], "0.0.0.0"), (SERVICE, component["port"], "0.0.0.0")]


def students(lab):
    """The roster's names; StepError naming the line when it is not one."""
    path = paths.REPO / lab.components[NAME]["roster"]
    try:
        return roster.read(path.read_text(encoding="utf-8"), where=lab.components[NAME]["roster"])
    except FileNotFoundError:
        raise steps.StepError(f"components.classroom.roster: {lab.components[NAME]['roster']} does not exist; write the "
                              "roster there, one student per line (a name or a seat number)") from None
    except (roster.RosterError, UnicodeDecodeError) as e:
        raise steps.StepError(str(e)) from None


def files(lab, node):
    component = lab.components[NAME]
    names = students(lab)
    table = {"students": names, "credentials": roster.hashes(credentials.shared(SECRET), names),
             "exercises": list(EXERCISES)}
    prometheus = lab.endpoints("prometheus")[0].url
    context = {"program": PROGRAM, "students": STUDENTS, "prometheus": prometheus, "at": at(services(lab, node)),
               "reports_port": component["reports_port"], "port": component["port"],
               "stale": seconds(component["stale_after"])}
    return [
        Rendered(PROGRAM, "", {}, mode=0o755, source="provision/files/classroom.py"),
        Rendered(BOUNDED_SERVER, "", {}, mode=0o644, source="provision/files/bounded_server.py"),
        Rendered(STUDENTS, "", {}, content=json.dumps(table, indent=1, ensure_ascii=False) + "\n", group=NAME,
                 mode=0o640, secret=True),
        Rendered(f"/etc/systemd/system/{SERVICE}.service", "classroom.service.j2", context),
    ]


def apply(run, lab, node, cache):
    steps.user(run, NAME, home="/nonexistent")
    steps.directory(run, "/etc/classroom", "root", NAME, 0o750)
    changed = False
    for item in files(lab, node):
        changed |= put(run, item)
    steps.service(run, SERVICE, restart=changed)
