"""Series that OpenMetrics cannot carry (native histograms), written into a TSDB through Prometheus' own remote-write
receiver: a Prometheus started on 127.0.0.1 over the folder, the series pushed to it in time order, a snapshot of its
head taken (Prometheus writes it as a block beside the others), the folder left holding blocks only.

The message is remote write 1.0's: a WriteRequest of Prometheus' prompb/types.proto (field numbers read there, in
Debian's source of 3.5.3), protobuf-encoded, snappy block-compressed. Standard library only (the guests run it at
provisioning): the encoding is written here, small and one-way, and the receiving Prometheus is its judge
(labtests/test_datasets.py reads every histogram back).
"""

import contextlib
import json
import math
import os
import shutil
import socket
import struct
import subprocess
import urllib.request
from dataclasses import dataclass

from provision import waiting


@dataclass(frozen=True)
class Histogram:
    """An integer native histogram: `buckets` {index: count} of the exponential `schema` (bucket i holds the values in
    (2^((i-1)/2^schema), 2^(i/2^schema)])."""

    count: int
    sum: float
    schema: int
    buckets: tuple  # ((index, count), ...) in index order, counts > 0


def bucket_index(value, schema):
    """The bucket of the exponential `schema` that holds a positive value."""
    return math.ceil(math.log2(value) * 2**schema)


# --- protobuf, the few shapes a WriteRequest needs -----------------------------------------------------------------

def _varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _zigzag(n):
    return (n << 1) ^ (n >> 63)


def _tag(field, wire):
    return _varint(field << 3 | wire)


def _bytes(field, payload):
    return _tag(field, 2) + _varint(len(payload)) + payload


def _uint(field, n):
    return _tag(field, 0) + _varint(n)


def _double(field, value):
    return _tag(field, 1) + struct.pack("<d", value)


def _histogram(h, timestamp):
    spans, deltas, end, previous = [], [], None, 0
    for index, count in h.buckets:
        if end is not None and index == end:
            spans[-1][1] += 1
        else:
            spans.append([index if end is None else index - end, 1])
        end = index + 1
        deltas.append(count - previous)
        previous = count
    return (_uint(1, h.count) + _double(3, h.sum) + _uint(4, _zigzag(h.schema)) + _double(5, 0.0) + _uint(6, 0)
            + b"".join(_bytes(11, _uint(1, _zigzag(offset)) + _uint(2, length)) for offset, length in spans)
            + _bytes(12, b"".join(_varint(_zigzag(d)) for d in deltas)) + _uint(15, timestamp))


def write_request(series):
    """A WriteRequest of [(labels {name: value} with __name__, timestamp in ms, a float or a Histogram)]."""
    body = b""
    for labels, timestamp, value in series:
        ts = b"".join(_bytes(1, _bytes(1, k.encode()) + _bytes(2, v.encode())) for k, v in sorted(labels.items()))
        if isinstance(value, Histogram):
            ts += _bytes(4, _histogram(value, timestamp))
        else:
            ts += _bytes(2, _double(1, float(value)) + _uint(2, timestamp))
        body += _bytes(1, ts)
    return body


def snappy(data):
    """Snappy's block format holding `data` as one literal: valid, uncompressed (the receiver asks for snappy)."""
    if not data:
        return _varint(0)
    n = len(data) - 1
    if n < 60:
        tag = bytes([n << 2])
    else:
        size = (n.bit_length() + 7) // 8
        tag = bytes([(59 + size) << 2]) + n.to_bytes(size, "little")
    return _varint(len(data)) + tag + data


# --- a receiving Prometheus over a TSDB folder ---------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url, data, headers, timeout=30):
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return reply.read()


def _popen(*cmd, out=None):
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)


def _served_folder(url):
    """The TSDB folder of the Prometheus that answers, ready, at `url` (an error while none does)."""
    with urllib.request.urlopen(f"{url}/-/ready", timeout=2):
        pass
    with urllib.request.urlopen(f"{url}/api/v1/status/flags", timeout=2) as reply:
        return json.load(reply)["data"].get("storage.tsdb.path")


def _exited(proc):
    return proc.poll() is not None and f"it exited with {proc.returncode}"


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def started(prometheus, tsdb, flags=(), timeout=60, spawn=_popen, what="a Prometheus", config=None, tries=3):
    """A Prometheus over the TSDB folder `tsdb` on 127.0.0.1 with `flags` (and `config`, the text of its configuration:
    none, by default), ready: its URL; stopped afterwards. `spawn(*cmd, out=)` starts it (provision.steps.Run.spawn in a
    role). The port is a free one, found before it starts: another process may take it meanwhile (the fast tests start
    Prometheus servers side by side). So the server that answers must be this one (its storage.tsdb.path), and a port
    lost is tried again with another, `tries` times. RuntimeError saying what was last seen, and the end of its log,
    when it does not become ready."""
    conf, log = tsdb.with_name(tsdb.name + ".yml"), tsdb.with_name(tsdb.name + ".log")
    conf.write_text(config or "global: {evaluation_interval: 1h}\n")
    try:
        for attempt in range(1, tries + 1):
            url = f"http://127.0.0.1:{_free_port()}"
            with open(log, "w") as out:
                proc = spawn(prometheus, f"--config.file={conf}", f"--storage.tsdb.path={tsdb}",
                             "--storage.tsdb.retention.time=100y", f"--web.listen-address={url.removeprefix('http://')}",
                             *flags, out=out)
            try:
                folder = waiting.until(lambda url=url: _served_folder(url), bool, timeout, f"{what} ready on {url}",
                                       interval=0.2, stop=lambda proc=proc: _exited(proc))
            except waiting.TimedOut as e:
                _stop(proc)
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                if attempt < tries and "address already in use" in " ".join(tail):
                    continue
                raise RuntimeError(f"{e}; its log: {' | '.join(tail)}") from None
            if folder != str(tsdb):  # another program's Prometheus took the port first: ours could not listen
                _stop(proc)
                if attempt < tries:
                    continue
                raise RuntimeError(f"{what}: {url} is another Prometheus's (over {folder}), {tries} times")
            try:
                yield url
            finally:
                _stop(proc)
            return
    finally:
        conf.unlink(missing_ok=True)
        log.unlink(missing_ok=True)


def receiving(prometheus, tsdb, flags=(), timeout=60, spawn=_popen):
    """started(), taking remote writes (and its admin API, for the snapshot): only on 127.0.0.1, only while it runs."""
    return started(prometheus, tsdb, (*flags, "--web.enable-remote-write-receiver", "--web.enable-admin-api"), timeout,
                   spawn, what="a Prometheus taking the native series")


def write(prometheus, tsdb, batches, flags=(), spawn=_popen):
    """Push `batches` (each a list for write_request, every batch later in time than the one before) into the TSDB in
    folder `tsdb` (its blocks all older), then leave it holding blocks only: the ones it had and one of the series
    pushed."""
    headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
               "X-Prometheus-Remote-Write-Version": "0.1.0"}
    with receiving(prometheus, tsdb, flags, spawn=spawn) as url:
        for batch in batches:
            _post(f"{url}/api/v1/write", snappy(write_request(batch)), headers)
        name = json.loads(_post(f"{url}/api/v1/admin/tsdb/snapshot", b"", {}))["data"]["name"]
    snapshot, kept = tsdb / "snapshots" / name, tsdb.with_name(tsdb.name + ".snapshot")
    shutil.rmtree(kept, ignore_errors=True)
    os.replace(snapshot, kept)
    shutil.rmtree(tsdb)
    os.replace(kept, tsdb)
