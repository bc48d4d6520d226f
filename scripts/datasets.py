"""The exercises' data sets served on this machine, without a lab: this machine's Prometheus over the blocks
`promtool tsdb create-blocks-from openmetrics` builds from provision/datasets.py, on 127.0.0.1 (tests/test_grading.py,
the teacher notes' table of mistakes).

    with serving(lab, folder) as prometheus: ...   # a labclient Prometheus of the data sets
"""

import contextlib
import re
import shutil
import socket
import subprocess
import time

import requests

from labclient.prom import Prometheus
from provision import datasets

PROGRAMS = ("prometheus", "promtool")


def missing_programs():
    return [p for p in PROGRAMS if shutil.which(p) is None]


def major():
    """The major version of this machine's Prometheus (the data sets store `le` as it would)."""
    out = subprocess.run(["prometheus", "--version"], capture_output=True, text=True).stdout
    return int(re.search(r"version (\d+)\.", out).group(1))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(lab, folder, timeout=30):
    """This machine's Prometheus serving the lab's data sets from `folder` on 127.0.0.1, ready; stopped afterwards.
    RuntimeError saying what was last seen when it does not become ready."""
    source, tsdb = folder / "datasets.om", folder / "tsdb"
    source.write_text(datasets.openmetrics(lab, major()))
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(tsdb)], check=True,
                   capture_output=True)
    (folder / "prometheus.yml").write_text("global: {evaluation_interval: 1h}\n")
    port = _free_port()
    proc = subprocess.Popen(["prometheus", f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={tsdb}",
                             "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url, deadline, last = f"http://127.0.0.1:{port}", time.monotonic() + timeout, None
        while True:
            try:
                if requests.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
                last = "not ready"
            except requests.RequestException as e:
                last = type(e).__name__
            if time.monotonic() > deadline:
                raise RuntimeError(f"the data sets' Prometheus did not become ready on {url} in {timeout} s; last seen: {last}")
            time.sleep(0.2)
        yield Prometheus(url=url)
    finally:
        proc.terminate()
        proc.wait(10)
