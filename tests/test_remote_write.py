"""provision/remote_write.py judged by the real Prometheus: generated series and native histograms pushed to this
machine's Prometheus through its remote-write receiver, read back through its query API exactly as they were sent;
the snapshot leaves a folder of blocks that a Prometheus serves."""

import math
import shutil
import subprocess
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provision import features, remote_write
from scripts.datasets import missing_programs, version

pytestmark = pytest.mark.skipif(bool(missing_programs()), reason=f"{' and '.join(missing_programs())} not installed on "
                                "this machine (Debian: apt-get install prometheus): the encoding's judge is Prometheus")
NOW = int(time.time() * 1000)


def _flags():
    return features.Release(features.parse(version()), "upstream").flags("native_histograms")


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    tsdb = tmp_path_factory.mktemp("rw") / "tsdb"
    with remote_write.receiving("prometheus", tsdb, _flags()) as url:
        yield url


def _push(url, series):
    headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
               "X-Prometheus-Remote-Write-Version": "0.1.0"}
    reply = requests.post(f"{url}/api/v1/write", data=remote_write.snappy(remote_write.write_request(series)),
                          headers=headers, timeout=10)
    assert reply.status_code == 204, f"{reply.status_code}: {reply.text}"


def _read(url, name, at):
    reply = requests.get(f"{url}/api/v1/query", params={"query": f'{{__name__="{name}"}}', "time": at / 1000}, timeout=10)
    reply.raise_for_status()
    return reply.json()["data"]["result"]


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
VALUES = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=40)
counter = iter(range(10**9))


@st.composite
def histograms(draw):
    schema = draw(st.integers(-4, 8))
    limit = min(300, int(1000 * 2.0**schema))  # bounds within a float's range
    indices = sorted(draw(st.sets(st.integers(-limit, limit), min_size=1, max_size=30)))
    counts = [draw(st.integers(1, 10**9)) for _ in indices]
    return remote_write.Histogram(sum(counts), draw(st.floats(0, 1e12, allow_nan=False)), schema,
                                  tuple(zip(indices, counts)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.dictionaries(NAMES.filter(lambda n: not n.startswith("__")), VALUES, max_size=4),
       value=st.floats(allow_nan=False, allow_infinity=False))
def test_a_sample_comes_back_with_its_labels_and_value(receiver, labels, value):
    name = f"generated_{next(counter)}"
    _push(receiver, [({"__name__": name, **labels}, NOW, value)])
    found = _read(receiver, name, NOW)
    assert [(s["metric"], float(s["value"][1])) for s in found] == [({"__name__": name, **labels}, value)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histogram=histograms())
def test_a_native_histogram_comes_back_bucket_by_bucket(receiver, histogram):
    name = f"histogram_{next(counter)}"
    _push(receiver, [({"__name__": name}, NOW, histogram)])
    found = _read(receiver, name, NOW)
    assert len(found) == 1, found
    got = found[0]["histogram"][1]
    assert float(got["count"]) == histogram.count and math.isclose(float(got["sum"]), histogram.sum, rel_tol=1e-12)
    width = 2.0 ** -histogram.schema
    expected = [(2.0 ** ((i - 1) * width), 2.0 ** (i * width), c) for i, c in histogram.buckets]
    buckets = [(float(lower), float(upper), float(count)) for _, lower, upper, count in got["buckets"]]
    assert len(buckets) == len(expected)
    for (lower, upper, count), (want_lower, want_upper, want_count) in zip(buckets, expected):
        assert math.isclose(lower, want_lower, rel_tol=1e-9) and math.isclose(upper, want_upper, rel_tol=1e-9)
        assert count == want_count


@given(data=st.binary(max_size=5000))
def test_a_snappy_block_holds_the_bytes_and_their_length(data):
    block = remote_write.snappy(data)
    length, shift, at = 0, 0, 0
    while True:
        byte = block[at]
        length |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            break
    assert length == len(data) and block.endswith(data)


def test_the_written_folder_holds_blocks_a_prometheus_serves(tmp_path):
    tsdb = tmp_path / "tsdb"
    tsdb.mkdir()
    start = NOW - 3600 * 1000
    batches = [[({"__name__": "written", "job": "x"}, start + i * 15000, float(i))] for i in range(241)]
    remote_write.write("prometheus", tsdb, batches, _flags())
    assert {p.name for p in tsdb.iterdir()} - {"lock"} and not (tsdb / "wal").exists(), sorted(tsdb.iterdir())
    assert all((p / "meta.json").is_file() for p in tsdb.iterdir() if p.is_dir())
    with remote_write.receiving("prometheus", tsdb) as url:
        found = _read(url, "written", start + 240 * 15000)
    assert [float(s["value"][1]) for s in found] == [240.0]


def test_a_prometheus_that_cannot_start_is_said_with_its_log(tmp_path):
    program = tmp_path / "prometheus"
    program.write_text("#!/bin/sh\necho 'err: the storage is locked' >&2\nexit 1\n")
    program.chmod(0o755)
    with pytest.raises(RuntimeError, match="ready on .*: not so, it exited with 1; .*the storage is locked"):
        with remote_write.receiving(str(program), tmp_path / "tsdb", timeout=10):
            pass


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="no prometheus")
def test_the_flags_are_ones_this_prometheus_takes():
    proc = subprocess.run(["prometheus", "--help"], capture_output=True, text=True)
    for flag in _flags():
        assert flag.split("=")[0] in proc.stdout + proc.stderr


def _another_prometheus(tmp_path):
    """A server on a free port answering as a Prometheus over another folder would: (its port, a way to stop it)."""
    import http.server
    import json
    import threading

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            body = json.dumps({"status": "success", "data": {"storage.tsdb.path": str(tmp_path / "theirs")}}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], server.shutdown


def test_a_port_another_prometheus_took_first_is_tried_again_with_another(tmp_path, monkeypatch):
    taken, stop = _another_prometheus(tmp_path)
    free = iter([taken, remote_write._free_port()])
    monkeypatch.setattr(remote_write, "_free_port", lambda: next(free))
    try:
        with remote_write.started("prometheus", tmp_path / "tsdb") as url:
            assert not url.endswith(f":{taken}")
            assert remote_write._served_folder(url) == str(tmp_path / "tsdb")
    finally:
        stop()
