"""Every exporter of a server (PostgreSQL ...) reaches the server it watches, on its node."""

import pytest

from labtests.lab import nodes_with, param, subjects
from provision import roles

SUBJECTS = subjects()
# Every file an exporter role keeps a credential in (its module's SECRETS), on each node with the role.
SECRETS = [param(n, role, n.name, path, id=f"{n.name}-{path}") for role in roles.ROLES
           for path in roles.contract(role).secrets for n in nodes_with(role)]


@pytest.mark.parametrize(("node", "role", "subject", "up_metric"), SUBJECTS)
def test_exporter_reaches_its_subject(prometheus, fresh_targets, node, role, subject, up_metric):
    result = prometheus.query(f'{up_metric}{{node="{node}"}}')
    assert result, f"{role} on {node} reports no {up_metric}"
    assert result[0]["value"][1] == "1", f"{role} on {node} cannot reach {subject}: {up_metric} is {result[0]['value'][1]}"


@pytest.mark.skipif(not SECRETS, reason="no exporter in this lab.yaml keeps a credential in a file")
@pytest.mark.parametrize(("node", "path"), SECRETS)
def test_exporter_credential_is_readable_by_root_only(hosts, node, path):
    secret = hosts[node].file(path)
    assert secret.is_file, f"{path} is missing on {node}"
    assert (secret.user, secret.group) == ("root", "root") and secret.mode & 0o077 == 0, \
        f"{path} on {node} is {secret.user}:{secret.group} {secret.mode:04o}; only root may read it"
