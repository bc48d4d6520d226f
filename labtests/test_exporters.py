"""Every exporter of a server (PostgreSQL ...) reaches the server it watches, on its node."""

import pytest

from labtests.lab import subjects

SUBJECTS = subjects()


@pytest.mark.parametrize(("node", "role", "subject", "up_metric"), SUBJECTS)
def test_exporter_reaches_its_subject(prometheus, fresh_targets, node, role, subject, up_metric):
    result = prometheus.query(f'{up_metric}{{node="{node}"}}')
    assert result, f"{role} on {node} reports no {up_metric}"
    assert result[0]["value"][1] == "1", f"{role} on {node} cannot reach {subject}: {up_metric} is {result[0]['value'][1]}"
