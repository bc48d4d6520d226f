"""classroom: the teacher's classroom service (`make classroom`, examples/classroom.yaml). Students' labs report their
exercise progress and health to it (reports_port, each with the credential `make classroom` printed for them); the
Prometheus of the same node scrapes it (port: the metrics and the teacher's page, which reads the grid from that
Prometheus). Its roster and secret come from the teacher's checkout (provision/roster.py); the service holds the
credentials' hashes only, in a file readable by root and its own group.
"""

import json
import ssl
import tempfile
from pathlib import Path

from provision import credentials, paths, roster, served, steps
from provision.render import Rendered, at, put
from provision.schema import seconds

NAME = "classroom"
SERVICE = NAME
PROGRAM = "/usr/local/lib/promlab/classroom.py"
STUDENTS = "/etc/classroom/students.json"
SECRET = credentials.CLASSROOM
TLS_CERTIFICATE = "/etc/classroom/tls-certificate.pem"
TLS_KEY = "/etc/classroom/tls-key.pem"
SECRETS = (STUDENTS, TLS_KEY)  # the credentials' hashes, the certificate's key: root and the service's group only
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


def tls(lab):
    """(certificate, key) texts of components.classroom.tls, checked as a pair the way the service loads them; None
    without TLS; StepError naming the key when they cannot serve."""
    chosen = lab.components[NAME].get("tls")
    if not chosen:
        return None
    texts = {}
    for key in ("certificate", "key"):
        try:
            texts[key] = (paths.REPO / chosen[key]).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise steps.StepError(f"components.classroom.tls.{key}: {chosen[key]} cannot be read as a PEM file of the "
                                  "repository; allowed: the path of the teacher's certificate and its key") from None
    with tempfile.TemporaryDirectory() as folder:
        for key, text in texts.items():
            Path(folder, key).write_text(text)
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(Path(folder, "certificate"), Path(folder, "key"))
        except (ssl.SSLError, OSError) as e:
            raise steps.StepError(f"components.classroom.tls: {chosen['certificate']} and {chosen['key']} are not a "
                                  f"certificate and its unencrypted key ({str(e)[:80]}); allowed: a PEM certificate and "
                                  "the key it was made with") from None
    return texts["certificate"], texts["key"]


def scheme(lab):
    """How students reach the reports port: https with a certificate (components.classroom.tls), else http."""
    return "https" if lab.components[NAME].get("tls") else "http"


def files(lab, node):
    component = lab.components[NAME]
    names = students(lab)
    table = {"students": names, "credentials": roster.hashes(credentials.shared(SECRET), names),
             "exercises": list(EXERCISES)}
    prometheus = lab.endpoints("prometheus")[0].url
    context = {"program": PROGRAM, "students": STUDENTS, "prometheus": prometheus, "at": at(services(lab, node)),
               "reports_port": component["reports_port"], "port": component["port"],
               "stale": seconds(component["stale_after"]), "tls": None}
    pair = tls(lab)
    found = []
    if pair:
        context["tls"] = {"certificate": TLS_CERTIFICATE, "key": TLS_KEY}
        found = [Rendered(TLS_CERTIFICATE, "", {}, content=pair[0], mode=0o644),
                 Rendered(TLS_KEY, "", {}, content=pair[1], group=NAME, mode=0o640, secret=True)]
    return found + [
        Rendered(PROGRAM, "", {}, mode=0o755, source="provision/files/classroom.py"),
        served.rendered(),
        Rendered(STUDENTS, "", {}, content=json.dumps(table, indent=1, ensure_ascii=False) + "\n", group=NAME,
                 mode=0o640, secret=True),
        Rendered(f"/etc/systemd/system/{SERVICE}.service", "classroom.service.j2", context),
    ]


def apply(run, lab, node, cache):
    steps.user(run, NAME, home="/nonexistent")
    steps.directory(run, "/etc/classroom", "root", NAME, 0o750)
    served.apply(run)
    changed = False
    for item in files(lab, node):
        changed |= put(run, item)
    steps.service(run, SERVICE, restart=changed)
