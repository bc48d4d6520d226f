"""Every service lab.yaml puts on a node runs, as its own user, hardened, on its port."""

import re

import pytest

from labtests.lab import services
from provision.waiting import until

SERVICES = services()
MAX_EXPOSURE = 2.0

pytestmark = pytest.mark.parametrize("service", SERVICES)


def test_service_is_running(hosts, service):
    unit = hosts[service.node].service(service.name)
    until(lambda: unit.is_running, bool, 10, f"{service.name} running on {service.node}")


def test_service_is_enabled(hosts, service):
    assert hosts[service.node].service(service.name).is_enabled, \
        f"{service.name} on {service.node} is not enabled: it will not start at boot"


def test_service_does_not_run_as_root(hosts, service):
    host = hosts[service.node]
    pid = host.service(service.name).systemd_properties["MainPID"]
    assert pid != "0", f"{service.name} on {service.node} has no main process"
    user = host.check_output(f"ps -o user= -p {pid}")
    assert user not in ("root", ""), f"{service.name} on {service.node} runs as {user!r}"


def test_service_listens_on_its_port(hosts, service):
    socket = hosts[service.node].socket(f"tcp://{service.address}:{service.port}")
    until(lambda: socket.is_listening, bool, 10,
             f"{service.name} listening on {service.address}:{service.port} on {service.node}")


def test_unit_exposure_is_at_most_2(hosts, service):
    out = hosts[service.node].check_output(f"systemd-analyze security --no-pager {service.name}.service")
    level = re.search(r"Overall exposure level for \S+: ([\d.]+)", out)
    assert level, f"no exposure level in systemd-analyze's answer:\n{out[-500:]}"
    assert float(level.group(1)) <= MAX_EXPOSURE, \
        f"{service.name} on {service.node} is rated {level.group(1)} (at most {MAX_EXPOSURE}):\n{out[-1500:]}"


def test_unit_passes_systemd_analyze_verify(hosts, service):
    result = hosts[service.node].run(f"systemd-analyze verify /etc/systemd/system/{service.name}.service")
    assert result.rc == 0 and not result.stderr.strip(), f"systemd-analyze verify {service.name}.service:\n{result.stderr}"
