"""The exercises' data sets served on this machine, without a lab: this machine's Prometheus over the blocks built as
the lab builds them (provision/datasets.build_blocks: promtool's, and on a Prometheus 3 the native histograms by
remote write), on 127.0.0.1 (tests/test_grading.py, the teacher notes' table of mistakes).

    with serving(lab, folder) as prometheus: ...   # a labclient Prometheus of the data sets
"""

import contextlib
import functools
import re
import shutil
import subprocess

from labclient.prom import Prometheus
from provision import datasets, features, remote_write

PROGRAMS = ("prometheus", "promtool")


def missing_programs():
    return [p for p in PROGRAMS if shutil.which(p) is None]


@functools.cache
def version():
    """The version of this machine's Prometheus (the data sets store `le` as it would; 3.x gets the native ones), asked
    once: the table of mistakes asks it for every case."""
    out = subprocess.run(["prometheus", "--version"], capture_output=True, text=True).stdout
    return re.search(r"version (\d+\.\d+\.\d+)", out).group(1)


@contextlib.contextmanager
def serving(lab, folder, timeout=30):
    """This machine's Prometheus serving the lab's data sets from `folder` on 127.0.0.1, ready; stopped afterwards.
    RuntimeError saying what was last seen when it does not become ready."""
    tsdb = folder / "tsdb"
    release = features.Release(features.parse(version()), "upstream")
    datasets.build_blocks(lab, release, {"prometheus": "prometheus", "promtool": "promtool"}, tsdb)
    with remote_write.started("prometheus", tsdb, release.flags("native_histograms", "info_function"), timeout,
                              what="the data sets' Prometheus") as url:
        yield Prometheus(url=url)
