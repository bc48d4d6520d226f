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
