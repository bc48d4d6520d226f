"""High availability, on a lab with Prometheus replicas (LAB_FILE=examples/ha.yaml): the global view counts
each target once and has no gap while a replica is down; both replicas' alert is one alert, notified also with an
Alertmanager stopped; a new group is notified once while the Alertmanager cluster is whole.

Marked `ha`: the tests that stop a replica or an Alertmanager put it back, also when they fail.
"""

import datetime
import time
import uuid

import pytest

from labclient import http
from labclient.alerting import api, cluster, notifications
from labclient.prom import global_view, parse_time, replicas
from labtests.lab import LAB, hand_targets, needs_role
from provision.roles import alertmanager
from provision.waiting import until

INTERVAL = LAB.interval
DOWN_FOR = LAB.down_for
REPLICAS = [n.name for n in LAB.nodes_with("prometheus")]
VIEW = LAB.global_view
EXPECTED = len(LAB.targets()) + len(LAB.probes()) + len(hand_targets())  # what each Prometheus scrapes
SERIES = 'up{job="node"}'  # a series every replica scrapes, checked in the global view
# The series of up written in the last four intervals: a series no longer written (a replica's, before a
# repair; a target of the configuration before the HA one) stays visible to a plain query for the 5-minute
# lookback when no staleness marker ends it. Four intervals: VictoriaMetrics shows a sample 30 s late.
FRESH = f"count(count_over_time(up[{int(4 * INTERVAL)}s]))"
pytestmark = [
    pytest.mark.skipif(not LAB.replicated, reason="lab.yaml has one Prometheus: these run on a replicated lab "
                       "(LAB_FILE=examples/ha.yaml; CI runs them)"),
    *needs_role(VIEW.role if VIEW else "victoriametrics"),
]
if VIEW and VIEW.role == "thanos":
    pytestmark.append(pytest.mark.skip(reason="Thanos is in no registry this machine reaches: its files are checked by "
                                              "tests/test_ha_layout.py, not run"))


def _count(prom, expr):
    result = prom.query(expr)
    return int(float(result[0]["value"][1])) if result else 0


LATENCY = 30  # VictoriaMetrics shows a sample this long after it arrives (-search.latencyOffset)


@pytest.fixture(scope="module")
def view():
    """The global view, once it reflects the replicas' present configuration over the tests' windows: a lab
    just provisioned into HA has series of its former configuration (a replica's WAL sent on its first
    remote_write) and little history yet."""
    found, replicas_ = global_view(), replicas()

    def reloaded():
        return max(float(prom.query("max(prometheus_config_last_reload_success_timestamp_seconds)")[0]["value"][1])
                   for prom in replicas_.values())

    settled = reloaded() + 4 * INTERVAL + LATENCY + INTERVAL
    if time.time() < settled:
        time.sleep(settled - time.time())
    history = f"count_over_time({SERIES}[{int(12 * INTERVAL)}s])"
    until(lambda: _count(found, f"min({history})"), lambda n: n >= 10, 20 * INTERVAL,
             f"the global view holding twelve intervals of {SERIES}")
    return found


def _healthy_targets(prom):
    return sorted((t["labels"]["job"], t["labels"].get("node"), t["health"]) for t in prom.active_targets())


@pytest.mark.parametrize("node", REPLICAS)
def test_each_replica_scrapes_every_target(node):
    prom = replicas()[node]
    until(lambda: _healthy_targets(prom), lambda found: len(found) == EXPECTED and {h for *_, h in found} == {"up"},
             3 * INTERVAL, f"Prometheus on {node} scraping all {EXPECTED} targets, every one up")


def test_the_global_view_counts_each_target_once(view):
    """Each replica sends every series: without deduplication the global view would count each twice."""
    raw = sum(len(prom.active_targets()) for prom in replicas().values())  # one series of up per active target
    assert raw == len(REPLICAS) * EXPECTED, f"the replicas hold {raw} series of up, not {len(REPLICAS)} x {EXPECTED}"
    written = time.time() + INTERVAL  # what the view shows from then on was written after this test began
    until(lambda: float(view.query("max(timestamp(up))")[0]["value"][1]), lambda t: t >= written, 8 * INTERVAL,
             f"the global view ({VIEW.host_url}) showing samples written since the test began")
    counted = _count(view, FRESH)
    assert counted == EXPECTED, f"the global view counts {counted} series of up, not each of the {EXPECTED} targets once"


def test_the_global_view_keeps_one_sample_per_scrape_interval(view):
    """Two replicas scrape each target: two samples per interval reach the global view, one stays."""
    window = 8 * INTERVAL
    at = time.time() - 4 * INTERVAL  # past what VictoriaMetrics holds back from queries (30 s)
    found = view.query(f"max(count_over_time({SERIES}[{int(window)}s]))", at=at)
    samples = int(float(found[0]["value"][1])) if found else 0
    assert 0 < samples <= window / INTERVAL + 1, \
        f"the global view holds {samples} samples of a series in {window:.0f}s: one per {INTERVAL:.0f}s interval is {window / INTERVAL:.0f}"


@pytest.mark.parametrize("auth", [None, ("promlab", "not-the-password")], ids=["no-credentials", "wrong-password"])
def test_the_global_view_refuses_a_write_without_its_credentials(auth):
    if VIEW.role != "victoriametrics":
        pytest.skip("Thanos' querier accepts no writes")
    reply = http.post(f"{VIEW.host_url}/api/v1/import/prometheus", data=b'promlab_forged{node="x"} 1\n', auth=auth, timeout=5)
    assert reply.status_code == 401, f"an unauthenticated write got {reply.status_code}"


def _samples(prom, node, start, end):
    """Timestamps of the raw samples of up{job="node", node=...} between start and end."""
    found = prom.query(f'up{{job="node",node="{node}"}}[{int(end - start)}s]', at=end)
    return sorted(float(t) for t, _ in found[0]["values"]) if found else []


def _largest_gap(stamps, start, end):
    points = [start, *stamps, end]
    return max(b - a for a, b in zip(points, points[1:]))


def test_a_stopped_replica_leaves_no_gap_in_the_global_view(hosts, view):
    stopped, kept = REPLICAS[-1], REPLICAS[0]
    target = LAB.nodes_with("node_exporter")[-1].name
    host = hosts[stopped]
    start = time.time()
    try:
        host.run("systemctl stop prometheus")
        time.sleep(4 * INTERVAL)  # the outage itself: four scrape intervals without this replica
    finally:
        host.run("systemctl start prometheus")
    end = time.time() + INTERVAL
    until(lambda: _samples(view, target, start, end), lambda s: s and s[-1] >= end - INTERVAL, 90,
             f"the global view holding {target}'s samples up to the end of the outage")
    own = _samples(replicas()[stopped], target, start, end)
    assert _largest_gap(own, start, end) >= 3 * INTERVAL, f"Prometheus on {stopped} shows no gap in {target}'s series: was it stopped?"
    merged = _samples(view, target, start, end)
    assert _largest_gap(merged, start, end) <= 2 * INTERVAL, \
        f"the global view has a gap of {_largest_gap(merged, start, end):.0f}s in {target}'s series while {kept} kept scraping"


def _group(since, node, after):
    """The notifications of the group (InstanceDown, `node`) since index `since` that hold a firing alert started after
    `after` (a Unix time, the outage's): each as (receiver URL, time received, its alerts of the group)."""
    def ours(alert):
        return alert["labels"]["alertname"] == "InstanceDown" and alert["labels"].get("node") == node

    def new(alert):
        return alert["status"] == "firing" and parse_time(alert["startsAt"]).timestamp() >= after

    return [(n["at"], n["received"], [a for a in n["alerts"] if ours(a)]) for n in notifications()[since:]
            if any(ours(a) and new(a) for a in n["alerts"])]


def _told(found):
    """The notifications, for a message: when, by which receiver, what."""
    start = min((t for _, t, _ in found), default=0)
    def said(a):
        return f"{a['status']} {a['labels'].get('job', a['labels']['alertname'])} since {a['startsAt']}"

    return "; ".join(f"+{t - start:.0f}s at {at}: " + ", ".join(map(said, alerts)) for at, t, alerts in found)


def _active(node, urls):
    """InstanceDown alerts on `node` an Alertmanager of `urls` still holds (a former outage's, resolving)."""
    return [a for url in urls for a in api("GET", f"{url}/api/v2/alerts").json()
            if a["labels"]["alertname"] == "InstanceDown" and a["labels"].get("node") == node]


def _outage_notifications(hosts, node, stopped):
    """Stop node_exporter on `node` until its InstanceDown is notified, and a while more: the notifications of its
    group that hold the outage's alert (see _group)."""
    running = [e.host_url for e in LAB.endpoints("alertmanager") if e.node.name != stopped]
    until(lambda: _active(node, running), lambda found: not found, 10 * INTERVAL, f"no Alertmanager holding InstanceDown on {node}")
    since, start = len(notifications()), time.time() - INTERVAL
    try:
        hosts[node].run("systemctl stop node_exporter")
        until(lambda: _group(since, node, start), bool, DOWN_FOR + 6 * INTERVAL, f"a notification of InstanceDown on {node}")
        time.sleep(2 * INTERVAL)  # a duplicate, from another Alertmanager or replica, would come within this
    finally:
        hosts[node].run("systemctl start node_exporter")
    return _group(since, node, start)


def _one_alert_each(found, node):
    """Every notification holds the outage's alert once, without the replica label (else: one alert per replica)."""
    for at, _, alerts in found:
        firing = [a["labels"] for a in alerts if a["status"] == "firing"]
        assert len(firing) == 1, f"a notification of InstanceDown on {node} ({at}) holds {len(firing)} firing alerts: {firing}"
        assert LAB.replica_label not in firing[0], f"the alert carries the replica label: {firing[0]}"


needs_cluster = pytest.mark.skipif(len(LAB.nodes_with("alertmanager")) < 3, reason="lab.yaml has no Alertmanager cluster")
MEMBERS = LAB.endpoints("alertmanager")
# After the first member's notification, the last would send its own within this if it had not heard of the first's:
# each waits its position x the peer timeout after the group's flush (provision/roles/alertmanager), then 5 s of gossip.
LATEST_DUPLICATE = alertmanager.peer_timeout(len(MEMBERS)) * (len(MEMBERS) - 1) + 5


def _whole_cluster():
    for e in MEMBERS:  # a member that came back (an earlier test stopped it) rejoins within seconds
        until(lambda e=e: cluster(e.host_url), lambda seen: seen == ("ready", len(MEMBERS)), 60,
                 f"{e.host_url}'s cluster whole")


@needs_cluster
def test_an_outage_both_replicas_see_is_notified_as_one_alert(hosts):
    """Both replicas send InstanceDown: without the replica label it is one alert, and each notification holds it once."""
    node = LAB.nodes_with("node_exporter")[-1].name
    _whole_cluster()
    _one_alert_each(_outage_notifications(hosts, node, None), node)


def _checked(since, labels):
    """The notifications since index `since` holding the alert with these labels, firing: (receiver URL, time, alerts)."""
    return [(n["at"], n["received"], [a for a in n["alerts"] if a["labels"] == labels]) for n in notifications()[since:]
            if any(a["labels"] == labels and a["status"] == "firing" for a in n["alerts"])]


def _send(labels, ends):
    """The alert to every member at once, as each Prometheus sends each alert (Alertmanager's own API, signed in)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    alert = {"labels": labels, "annotations": {"summary": "labtests/test_ha.py: is a new group notified once?"},
             "startsAt": now.isoformat(), "endsAt": (now + datetime.timedelta(seconds=ends)).isoformat()}
    for e in MEMBERS:
        api("POST", f"{e.host_url}/api/v2/alerts", json=[alert]).raise_for_status()


@needs_cluster
def test_a_new_group_is_notified_once_while_the_cluster_is_whole():
    """Every member gets the alert at once, so each holds a new group and flushes it at the same moment: the first
    member sends, and the others, each waiting its position x the peer timeout, learn it by gossip and stay quiet. A
    group some members still hold (Prometheus sends a resolved alert again for 15 minutes) flushes on each member's
    own clock, and two may send together: Alertmanager's limit (prometheus/alertmanager#2222), told in the docs."""
    # The route groups by alertname and node (alertmanager.yml.j2): a node name never seen makes a group no member held.
    labels = {"alertname": "PromlabClusterCheck", "node": f"check-{uuid.uuid4().hex[:12]}"}
    _whole_cluster()
    since = len(notifications())
    try:
        _send(labels, ends=300)  # resolves by itself if this test dies
        until(lambda: _checked(since, labels), bool, 60, f"a notification of {labels}")
        time.sleep(LATEST_DUPLICATE)
    finally:
        _send(labels, ends=0)
    found = _checked(since, labels)
    assert len(found) == 1, f"a whole cluster sent the notification of a new group {len(found)} times: {_told(found)}"


@needs_cluster
def test_an_alert_is_still_notified_with_an_alertmanager_stopped(hosts):
    """At least once: while the others learn that a member left, two may each send (Alertmanager's promise)."""
    node, stopped = LAB.nodes_with("node_exporter")[-1].name, LAB.nodes_with("alertmanager")[0].name
    try:
        hosts[stopped].run("systemctl stop alertmanager")
        found = _outage_notifications(hosts, node, stopped)
    finally:
        hosts[stopped].run("systemctl start alertmanager")
    _one_alert_each(found, node)
