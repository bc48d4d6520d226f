"""Proof that the labtests fail when the lab is broken, naming the node or target.

Each test injects one fault, runs the ordinary labtests that should notice it,
expects them to fail and to name the node, then repairs the lab and waits until
it is green again (also when the test itself fails). Marked `drill`. Each fault strikes one node (or node1's view
of it) and runs in that node's lane (labtests/lab.py), side by side with other nodes' lanes; the scrape interval's
fault changes every target at once, so it runs alone, before the lanes.
"""

import pytest

from labclient import faults
from labclient.faults import LOCKOUTS, strike
from labtests.drill import exec_on, failure_messages, reprovision, run_labtests, wait_target
from labtests.lab import LAB, VICTIM, lane, subjects
from provision.waiting import until

pytestmark = pytest.mark.drill
PROMETHEUS = LAB.prometheus_node
CONFIG = "/etc/prometheus/prometheus.yml"

STOPPED = strike(0)  # node2 in lab.yaml: its exporter stopped, or disabled at boot
# node6: its targets taken out of node1's configuration. It reloads Prometheus, which then drops the alerts it sends for
# up to 5 s (labtests/test_drills.py, RESEND_DELAY): in the instance-down drill's lane, and before it (the drills that
# need no fresh scrape come first, labtests/conftest.py), it can meet no notification that drill awaits. Struck in
# another lane, it met one in two `make test` runs of four, and that lane took one resend delay more (139 s).
DROPPED = strike(-1)
CUT = strike(2)  # node4: unreachable from node1

needs_exporter = pytest.mark.skipif(VICTIM is None, reason="lab.yaml gives no node the node_exporter role")


def _fails_naming(args, name):
    """The labtests selected by args fail, and a failure's own message (not only the test id) names `name`."""
    code, out = run_labtests(*args)
    messages = failure_messages(out)
    assert code != 0, f"the labtests passed although the lab is broken:\n{out[-3000:]}"
    assert any(name in line for line in messages), f"the labtests failed without naming {name}:\n{out[-3000:]}"


@needs_exporter
@lane(STOPPED)
def test_stopped_exporter_fails_the_suite(hosts, prometheus):
    fault = faults.stopped(STOPPED)
    host = hosts[fault.where]
    try:
        exec_on(host, fault.breaks)
        _fails_naming(["labtests/test_services.py", "labtests/test_prometheus.py", "-k", STOPPED.name], STOPPED.name)
    finally:
        exec_on(host, fault.repairs)
        wait_target(prometheus, "node", STOPPED.name, "up")


@needs_exporter
@lane(STOPPED)
def test_exporter_disabled_at_boot_fails_the_suite(hosts):
    host = hosts[STOPPED.name]
    try:
        exec_on(host, "systemctl disable node_exporter")
        _fails_naming(["labtests/test_services.py", "-k", f"enabled and {STOPPED.name}"], STOPPED.name)
    finally:
        exec_on(host, "systemctl enable node_exporter")


@needs_exporter
@lane(CUT)
def test_exporter_unreachable_from_prometheus_fails_the_suite(hosts, prometheus):
    fault = faults.route(LAB, CUT)
    host = hosts[fault.where]
    try:
        exec_on(host, fault.breaks)
        _fails_naming(["labtests/test_prometheus.py", "-k", f"up and {CUT.name}"], CUT.name)
    finally:
        host.run(fault.repairs)
        wait_target(prometheus, "node", CUT.name, "up")


@needs_exporter
@lane(DROPPED)
def test_target_missing_from_the_config_fails_the_suite(hosts, prometheus):
    host = hosts[PROMETHEUS.name]
    drop = (f"import yaml; p='{CONFIG}'; c=yaml.safe_load(open(p)); "
            "[j.__setitem__('static_configs', [s for s in j['static_configs'] "
            f"if s.get('labels', {{}}).get('node') != '{DROPPED.name}']) "
            "for j in c['scrape_configs']]; open(p, 'w').write(yaml.safe_dump(c))")
    try:
        exec_on(host, f'python3 -c "{drop}" && systemctl reload prometheus')
        _fails_naming(["labtests/test_prometheus.py", "-k", "exactly"], DROPPED.name)
    finally:
        reprovision(PROMETHEUS)
        wait_target(prometheus, "node", DROPPED.name, "up")


@needs_exporter
def test_scrape_interval_unlike_lab_fails_the_suite(hosts, prometheus):
    host = hosts[PROMETHEUS.name]
    other = "20s" if LAB.scrape_interval != "20s" else "25s"
    try:
        exec_on(host, f"sed -i 's/^  scrape_interval: .*/  scrape_interval: {other}/' {CONFIG} && systemctl reload prometheus")
        _fails_naming(["labtests/test_prometheus.py", "-k", f"interval and {VICTIM.name}"], VICTIM.name)
    finally:
        reprovision(PROMETHEUS)
        wait_target(prometheus, "node", VICTIM.name, "up")


@pytest.mark.parametrize(("node", "role", "subject", "up_metric"), [p for p in subjects(in_lanes=True) if p.values[1] in LOCKOUTS])
def test_exporter_locked_out_of_its_server_fails_the_suite(hosts, prometheus, node, role, subject, up_metric):
    fault = faults.lockout(LAB, LAB.node(node), role)
    host = hosts[fault.where]
    try:
        exec_on(host, fault.breaks)
        _fails_naming(["labtests/test_exporters.py", "-k", f"{node}-{role}"], node)
    finally:
        if fault.repairs:
            exec_on(host, fault.repairs)
        else:
            reprovision(LAB.node(node))
        until(lambda: prometheus.query(f'{up_metric}{{node="{node}"}} == 1'), bool, 60, f"{up_metric} of {node} back to 1")
