"""labclient/green.py: `make up` is green only when every target and every blackbox probe lab.yaml implies is up
(facts in: Prometheus' targets as it would list them; verdict out)."""

import pytest

from labclient import green
from tests import pristine

LAB = pristine.lab()


class Listed:
    """A Prometheus that lists the targets it is given."""

    def __init__(self, targets):
        self._targets = targets

    def active_targets(self):
        return self._targets


def listed(health=lambda job, instance: "up", leave_out=()):
    """What Prometheus lists for this lab: each scrape target and each probe, with its labels and `health(...)`."""
    rows = [{"labels": {"job": t.job, "node": t.node, "instance": t.address}} for t in LAB.targets() + LAB.probes()]
    for row in rows:
        row["health"] = health(row["labels"]["job"], row["labels"]["instance"])
    return Listed([r for r in rows if (r["labels"]["job"], r["labels"]["instance"]) not in leave_out])


def test_a_lab_with_every_target_and_probe_up_is_green():
    health = green.status(listed(), LAB)
    assert len(health) == len(LAB.targets()) + len(LAB.probes()) and set(health.values()) == {"up"}


@pytest.mark.parametrize("probe", LAB.probes(), ids=lambda p: f"{p.job}-{p.address}")
def test_one_probe_down_is_not_green(probe):
    health = green.status(listed(lambda job, instance: "down" if (job, instance) == (probe.job, probe.address) else "up"),
                          LAB)
    assert [key for key, h in health.items() if h != "up"] == [(probe.job, probe.node, probe.address)]


def test_a_probe_prometheus_does_not_list_is_absent():
    probe = LAB.probes()[0]
    health = green.status(listed(leave_out={(probe.job, probe.address)}), LAB)
    assert health[(probe.job, probe.node, probe.address)] == "absent"


def test_a_target_added_by_hand_is_not_waited_for():
    hand = {"labels": {"job": "mine", "node": "node6", "instance": "192.168.56.16:9999"}, "health": "down"}
    health = green.status(Listed(listed().active_targets() + [hand]), LAB)
    assert set(health.values()) == {"up"}


class Turning(Listed):
    """A Prometheus whose targets are all down at first, then up from its third listing on."""

    url = "http://127.0.0.1:9090"

    def __init__(self):
        self.asked = 0

    def active_targets(self):
        self.asked += 1
        return listed(lambda job, instance: "up" if self.asked >= 3 else "down").active_targets()


def _waited(monkeypatch, prometheus, timeout):
    import io

    monkeypatch.setattr(green, "loaded", lambda: LAB)
    monkeypatch.setattr(green, "Prometheus", lambda lab: prometheus)
    monkeypatch.setenv("LAB_LANG", "en")
    out = io.StringIO()
    return green.wait_green(timeout, out), out.getvalue()


def test_waiting_ends_green_once_every_target_is_up_saying_the_wait_once(monkeypatch):
    ok, said = _waited(monkeypatch, Turning(), 30)
    total = len(LAB.targets()) + len(LAB.probes())
    assert ok and said.count("promlab: waiting, 0/") == 1 and f"targets up: {total}/{total}" not in said
    assert said.splitlines()[-1].startswith("promlab: green after") and said.endswith(f"{total}/{total} targets up\n")


def test_waiting_gives_up_at_its_deadline_naming_what_was_last_seen(monkeypatch):
    down = listed(lambda job, instance: "down")
    down.url = "http://127.0.0.1:9090"
    ok, said = _waited(monkeypatch, down, 1)
    assert not ok
    assert said.splitlines()[-1].startswith("promlab: not green after 1s; last seen: ") and ": down" in said.splitlines()[-1]
