"""blackbox_exporter reaches what lab.yaml says it probes: HTTP endpoints, ICMP, SSH ports."""

import pytest

from labtests.lab import probes

PROBES = probes()


@pytest.mark.skipif(not PROBES, reason="lab.yaml gives no node the blackbox_exporter role")
@pytest.mark.parametrize(("job", "node", "target"), PROBES, ids=[f"{j}-{n}-{t}" for j, n, t in PROBES])
def test_probe_succeeds(prometheus, fresh_targets, job, node, target):
    # After a scrape since the tests began: an old success does not count.
    result = prometheus.query(f'probe_success{{job="{job}", instance="{target}"}}')
    assert result, f"no probe_success for {target} ({job}, {node}): is blackbox_exporter scraped?"
    assert result[0]["value"][1] == "1", f"blackbox_exporter cannot reach {target} on {node} ({job}): probe_success is 0"
