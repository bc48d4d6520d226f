"""The drills' helpers: provisioning a node again (or in check mode), waiting for a target's health, running part of
the ordinary labtests, a command that must succeed. Each asserts, for the labtests (labclient/faults.py holds the
faults themselves)."""

import subprocess
import sys

from labclient.check import provision
from labclient.lab import loaded
from provision.paths import REPO
from provision.waiting import until


def reprovision(node, check=False):
    """Run the provisioning on a node as `vagrant provision` does (it repairs any drift); with check=True in
    check mode (it names the drift and changes nothing; exit 3 when something differs)."""
    result = provision(node.name, check)
    assert result.returncode in ((0, 3) if check else (0,)), (f"provisioning {node.name} failed:\n{result.stdout}\n"
                                                              f"{result.stderr}")
    return result.stdout


def wait_target(prometheus, job, node, health, timeout=None):
    timeout = timeout or 2 * loaded().interval + 15
    return until(lambda: prometheus.target(job, node), lambda t: t is not None and t["health"] == health, timeout,
                    f"target {job} on {node} {health}")


def run_labtests(*args):
    """Run part of the ordinary labtests (never the drills) as a user would; return (exit code, output)."""
    cmd = [sys.executable, "-m", "pytest", *args, "-m", "not drill and not provision", "-p", "no:cacheprovider", "-q",
           "--tb=line", "-o", "addopts="]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def failure_messages(out):
    """The lines of a pytest output that carry a failure's own message (not only a test's id): an assertion's, or a
    wait's that timed out (provision.waiting.TimedOut, which says what was awaited and last seen)."""
    return [line for line in out.splitlines() if "AssertionError" in line or "TimedOut" in line]


def exec_on(host, command):
    result = host.run(command)
    assert result.rc == 0, f"{command}: {result.stderr}"
    return result.stdout
