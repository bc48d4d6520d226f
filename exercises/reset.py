"""Put the lab back to the start of an exercise: undo what the exercise (or its solution) changed.

lab.yaml lines and templates come back as they are in git's HEAD (the teacher's version);
machines the exercise added are destroyed; node1 is provisioned again so that Prometheus
(and Grafana) run with the restored files. The other exercises' work is left alone.
"""

import re
import subprocess

from exercises.checks import ANSWER_1, BOARD_6, EXPORTER_NODE, NEW_NODE, REPO
from provision import inventory

LAB_YAML = REPO / "lab.yaml"


def _sh(*cmd, check=True):
    return subprocess.run(cmd, cwd=REPO, check=check, text=True, capture_output=True)


def _committed(path):
    return _sh("git", "show", f"HEAD:{path}").stdout


def _restore_line(pattern):
    """The lab.yaml line matching `pattern` as it is in HEAD (or removed, when HEAD has none)."""
    regex = re.compile(pattern, re.M)
    original = regex.search(_committed("lab.yaml"))
    LAB_YAML.write_text(regex.sub(lambda _: original.group(0) if original else "", LAB_YAML.read_text()))


def _prometheus_node():
    return inventory.load().prometheus_node.name


def _provision_prometheus():
    subprocess.run(["vagrant", "provision", _prometheus_node()], cwd=REPO, check=True)


def reset(number):
    if number == 1:
        ANSWER_1.unlink(missing_ok=True)
    elif number == 2:
        _restore_line(r"^  scrape_interval: .*$")
        _provision_prometheus()
    elif number == 3:
        # Destroy while lab.yaml still names the node: the Vagrantfile only knows lab.yaml's nodes.
        subprocess.run(["vagrant", "destroy", "--force", NEW_NODE], cwd=REPO, check=False)
        _restore_line(rf"^  - \{{name: {NEW_NODE}\b.*\n")
        _provision_prometheus()
    elif number == 4:
        _restore_line(rf"^  - \{{name: {EXPORTER_NODE}\b.*$")
        _sh("git", "checkout", "HEAD", "--", "templates/prometheus.yml.j2")
        _provision_prometheus()
    elif number == 5:
        subprocess.run(["vagrant", "ssh", _prometheus_node(), "-c",
                        "sudo find /etc/prometheus/rules -name '*.rules.yml' ! -name promlab.rules.yml -delete"
                        " && sudo systemctl reload prometheus"], cwd=REPO, check=True)
    elif number == 6:
        BOARD_6.unlink(missing_ok=True)
        _provision_prometheus()
