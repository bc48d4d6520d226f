"""Proof that the HA labtests fail when high availability is broken: each drill breaks one part on a
replicated lab, expects labtests/test_ha.py (or the cluster's test) to fail saying what, then repairs the
lab (also when the drill fails). Marked `drill`."""

import shlex

import pytest

from labclient.alerting import cluster
from labclient.prom import global_view
from labtests.drill import exec_on, failure_messages, reprovision, run_labtests
from labtests.lab import LAB
from labtests.test_ha import EXPECTED, FRESH, INTERVAL, REPLICAS, VIEW, _count, needs_cluster
from provision.waiting import until

pytestmark = [pytest.mark.drill,
              pytest.mark.skipif(not LAB.replicated or VIEW is None or VIEW.role != "victoriametrics",
                                 reason="lab.yaml has no Prometheus replicas with VictoriaMetrics (LAB_FILE=examples/ha.yaml)")]
CONFIG = "/etc/prometheus/prometheus.yml"
REPLICA = LAB.node(REPLICAS[-1])  # the replica the drills break


def _fails_saying(args, words):
    code, out = run_labtests(*args)
    messages = failure_messages(out)
    assert code != 0, f"the labtests passed although high availability is broken:\n{out[-3000:]}"
    assert any(words in line for line in messages), f"the labtests failed without saying {words!r}:\n{out[-3000:]}"


def _drop_from_config(host, section, key):
    """Remove `key` from every entry of `section` (alerting or remote_write) of the replica's config; reload."""
    edit = (f"import yaml; p={CONFIG!r}; c=yaml.safe_load(open(p)); s=c[{section!r}]; "
            f"[e.pop({key!r}, None) for e in (s if isinstance(s, list) else [s])]; open(p, 'w').write(yaml.safe_dump(c))")
    exec_on(host, f"python3 -c {shlex.quote(edit)} && systemctl reload prometheus")


def test_the_replica_label_left_on_alerts_fails_the_suite(hosts):
    host = hosts[REPLICA.name]
    try:
        _drop_from_config(host, "alerting", "alert_relabel_configs")
        _fails_saying(["labtests/test_ha.py", "-k", "notified_as_one_alert"], "replica")
    finally:
        reprovision(REPLICA)


def test_deduplication_switched_off_fails_the_suite(hosts):
    host, view = hosts[REPLICA.name], global_view()
    try:
        _drop_from_config(host, "remote_write", "write_relabel_configs")
        _fails_saying(["labtests/test_ha.py", "-k", "counts_each_target_once"], "once")
    finally:
        reprovision(REPLICA)
        until(lambda: _count(view, FRESH), lambda n: n == EXPECTED, 12 * INTERVAL,
                 "the global view counting each target once again")


@needs_cluster
def test_an_alertmanager_cut_off_from_the_cluster_fails_the_suite(hosts):
    cut, *others = LAB.endpoints("alertmanager")[::-1]
    host = hosts[cut.node.name]
    routes = [f"blackhole {e.node.ip}/32" for e in others]
    try:
        for route in routes:
            exec_on(host, f"ip route add {route}")
        # The others notice a silent member once their probes time out (the cut one cannot tell): then the fault is on.
        until(lambda: cluster(others[0].host_url), lambda seen: seen[1] < len(others) + 1, 120,
                 f"{others[0].host_url} losing {cut.host_url} from its cluster")
        _fails_saying(["labtests/test_alerting.py", "-k", "whole_cluster"], f"cluster being ('ready', {len(others) + 1})")
    finally:
        for route in routes:
            host.run(f"ip route del {route}")
        for e in LAB.endpoints("alertmanager"):
            until(lambda e=e: cluster(e.host_url), lambda seen: seen == ("ready", len(others) + 1), 120,
                     f"{e.host_url}'s cluster whole again")


@needs_cluster
def test_alertmanagers_that_do_not_wait_their_turn_fail_the_suite(hosts):
    """Each member flushes a new group at the same moment; with no peer timeout none waits for another's word."""
    members = LAB.nodes_with("alertmanager")
    unit = "/etc/systemd/system/alertmanager.service"
    try:
        for node in members:
            exec_on(hosts[node.name], f"sed -i 's/--cluster.peer-timeout=[^ ]*/--cluster.peer-timeout=0s/' {unit} && "
                                      "systemctl daemon-reload && systemctl restart alertmanager")
        _fails_saying(["labtests/test_ha.py", "-k", "new_group_is_notified_once"], "sent the notification of a new group")
    finally:
        for node in members:
            reprovision(node)
