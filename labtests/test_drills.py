"""Fault drill: stop node_exporter on a node and watch the lab notice it, alert, and recover.

Marked `drill`: each stops a service (and puts it back, also when the drill fails) on one node, in that node's
lane (labtests/lab.py: the lanes run side by side). The instance-down drill's timings are written to
build/drill-timings.json.
"""

import json
import time

import pytest

from labclient import faults
from labclient.alerting import notifications, received
from labclient.faults import strike
from labtests.drill import wait_target
from labtests.lab import LAB, lane, needs_role, probes, subjects
from provision.paths import REPO
from provision.roles.alertmanager import GROUP_INTERVAL
from provision.waiting import until

pytestmark = pytest.mark.drill
INTERVAL = LAB.interval
DOWN_FOR = LAB.down_for
# Prometheus sends an alert's change to Alertmanager at once, then again every resend delay (its
# --rules.alert.resend-delay, 1 m by default) while the alert lasts or stays resolved. For up to 5 s after a reload of
# its configuration it knows no Alertmanager and drops what it sends (prometheus_notifications_dropped_total;
# prometheus/prometheus#13064), and the missing-target drill reloads it (the target taken out, then provisioned back).
# That drill runs in this one's lane, before it; struck in another lane, it made the resolution come 75 and 80 s after
# the alert resolved: one resend delay later, then Alertmanager's group_interval. The deadline keeps room for a reload
# of Prometheus made by hand beside the drill.
RESEND_DELAY = 60
NOTIFIED_WITHIN = RESEND_DELAY + GROUP_INTERVAL + 2 * INTERVAL
SILENT = strike(-1)  # the instance-down drill: node6 in lab.yaml, a node without a server of its own
PROBED = strike(2)  # the probe drill: node4 in lab.yaml


def _alert_state(prometheus, node):
    states = [a["state"] for a in prometheus.api("alerts")["alerts"]
              if a["labels"]["alertname"] == "InstanceDown" and a["labels"].get("node") == node]
    return states[0] if states else "inactive"


@pytest.mark.skipif(SILENT is None, reason="lab.yaml gives no node the node_exporter role")
@pytest.mark.parametrize("_", [pytest.param(None, marks=[*needs_role("alertmanager"), lane(SILENT)], id="instance-down")])
def test_stopped_exporter_is_noticed_alerted_received_and_resolved(hosts, prometheus, fresh_targets, _):
    host, name = hosts[SILENT.name], SILENT.name
    since = len(notifications())
    marks = {}
    start = time.monotonic()

    def mark(step):
        marks[step] = round(time.monotonic() - start, 1)

    try:
        host.run(faults.stopped(LAB.node(name)).breaks)
        mark("fault")
        wait_target(prometheus, "node", name, "down", timeout=2 * INTERVAL + 5)
        mark("target down")
        state = lambda: _alert_state(prometheus, name)  # noqa: E731
        until(state, lambda s: s in ("pending", "firing"), 2 * INTERVAL, f"InstanceDown pending for {name}")
        mark("alert pending")
        until(state, lambda s: s == "firing", DOWN_FOR + 2 * INTERVAL, f"InstanceDown firing for {name}")
        mark("alert firing")
        until(lambda: received(since, "InstanceDown", name, "firing"), bool, NOTIFIED_WITHIN,
              f"the receiver recording InstanceDown for {name}")
        mark("notification received")
    finally:
        host.run(faults.stopped(LAB.node(name)).repairs)
    mark("exporter restarted")
    wait_target(prometheus, "node", name, "up")
    mark("target up")
    until(lambda: _alert_state(prometheus, name), lambda s: s == "inactive", 2 * INTERVAL, f"InstanceDown resolved for {name}")
    mark("alert resolved")
    until(lambda: received(since, "InstanceDown", name, "resolved"), bool, NOTIFIED_WITHIN,
          f"the receiver recording the resolution for {name}")
    mark("resolution received")
    out = REPO / "build" / "drill-timings.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"node": name, "scrape_interval": LAB.scrape_interval,
                               "instance_down_for": LAB.alerts["instance_down_for"], "seconds": marks}, indent=2) + "\n")
    print(f"\ndrill on {name}: " + ", ".join(f"{step} {t}s" for step, t in marks.items()))
    assert prometheus.target("node", name)["health"] == "up"


def _value(prometheus, expr):
    result = prometheus.query(expr)
    return result[0]["value"][1] if result else None


def _stop_see_then_start_see(host, prometheus, unit, expr, what):
    """Stop `unit`: `expr` must turn 0 within two scrapes; start it again: back to 1."""
    deadline = 2 * INTERVAL + 10
    try:
        host.run(f"systemctl stop {unit}")
        until(lambda: _value(prometheus, expr), lambda v: v == "0", deadline, f"{what} down ({expr} = 0) after stopping {unit}")
    finally:
        host.run(f"systemctl start {unit}")
    until(lambda: _value(prometheus, expr), lambda v: v == "1", deadline, f"{what} up again ({expr} = 1) after starting {unit}")


@pytest.mark.parametrize(("node", "role", "subject", "up_metric"), subjects(in_lanes=True))
def test_stopped_subject_is_reported_down_then_up(hosts, prometheus, node, role, subject, up_metric):
    _stop_see_then_start_see(hosts[node], prometheus, subject, f'{up_metric}{{node="{node}"}}', f"{role} on {node} reporting {subject}")


def _probed_endpoint():
    """PROBED's node_exporter endpoint as blackbox_exporter probes it, or None."""
    component = LAB.components["node_exporter"]
    found = [t for job, node, t in probes() if job == "blackbox_http" and PROBED and node == PROBED.name
             and t.endswith(f":{component['port']}{component.get('probe', '')}")]
    return found[0] if found else None


ENDPOINT = _probed_endpoint()


@pytest.mark.skipif(ENDPOINT is None, reason="blackbox_exporter probes no node_exporter endpoint in this lab.yaml")
@lane(PROBED)
def test_stopped_endpoint_is_probed_down_then_up(hosts, prometheus):
    expr = f'probe_success{{job="blackbox_http", instance="{ENDPOINT}"}}'
    _stop_see_then_start_see(hosts[PROBED.name], prometheus, "node_exporter", expr, f"blackbox_exporter probing {ENDPOINT}")
