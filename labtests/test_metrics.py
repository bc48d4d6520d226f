"""Each exporter node's host metrics answer through Prometheus' query API."""

import pytest

from labtests.lab import nodes_with, param

FAMILIES = {
    "cpu": "node_cpu_seconds_total",
    "memory": "node_memory_MemAvailable_bytes",
    "disk": "node_disk_io_time_seconds_total",
    "filesystem": "node_filesystem_avail_bytes",
    "network": "node_network_receive_bytes_total",
    "load": "node_load1",
}
CASES = [param(n, "node_exporter", n.name, family, id=f"{n.name}-{family}") for n in nodes_with("node_exporter") for family in FAMILIES]


@pytest.mark.parametrize(("node", "family"), CASES)
def test_node_metric_answers(prometheus, fresh_targets, node, family):
    # After a scrape since the tests began: a dead exporter's series are stale by then.
    expr = f'{FAMILIES[family]}{{node="{node}"}}'
    assert prometheus.query(expr), f"no {family} metrics of {node}: {expr} returns nothing"
