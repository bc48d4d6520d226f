"""The exercises' data sets on the lab: node1's second Prometheus (prometheus-datasets) serves every data set of the
lab at the time the checks ask it, the series of the lab's own names, and takes no write from the lab network."""

import json
import re

import pytest

from labclient import http
from labclient.prom import Prometheus
from labtests.lab import LAB
from provision import otel_data
from provision.datasets import DATASETS
from provision.waiting import until

SERVER = Prometheus(url=LAB.datasets.host_url)
HERE = [d for d in DATASETS.values() if d.applies(LAB)]


def test_the_data_sets_prometheus_is_ready():
    until(lambda: http.get(f"{SERVER.url}/-/ready", timeout=5).status_code, lambda code: code == 200, 60,
             f"{SERVER.url}/-/ready answering 200")


@pytest.mark.parametrize("dataset", HERE, ids=lambda d: d.name)
def test_every_data_set_answers_at_the_time_the_checks_ask(dataset):
    found = SERVER.query("count({__name__=~'.+'})", at=dataset.end)
    assert found and float(found[0]["value"][1]) > 0, f"{dataset.name}: no series at {dataset.end}"


def test_the_data_sets_are_of_the_lab_nodes():
    nodes = {s["metric"]["node"] for s in SERVER.query("node_memory_MemTotal_bytes", at=DATASETS["memory-a"].end)}
    assert nodes == {n.name for n in LAB.nodes_with("node_exporter")}


def test_the_le_of_its_buckets_is_written_as_its_major_stores_it():
    """Prometheus 3 normalises a bucket's le to a float at scrape (1.0), 2.x keeps the exporter's (1): the data sets
    follow the version that serves them."""
    major = int(SERVER.version().split(".")[0])
    les = {s["metric"]["le"] for s in SERVER.query('prometheus_http_request_duration_seconds_bucket{handler="/metrics"}',
                                                      at=DATASETS["requests-a"].end)}
    assert ("1.0" in les) is (major >= 3) and ("1" in les) is (major < 3), les


@pytest.mark.parametrize(("path", "data"), [("/api/v1/write", b"x"), ("/api/v1/admin/tsdb/delete_series", {"match[]": "up"}),
                                            ("/-/reload", b""), ("/-/quit", b"")])
def test_it_takes_no_write(path, data):
    at = DATASETS["targets-up"].end
    before = SERVER.query("count(up)", at=at)
    reply = http.post(f"{SERVER.url}{path}", data=data, timeout=5)
    assert not reply.ok, f"POST {path}: {reply.status_code} {reply.text[:200]}"
    assert SERVER.query("count(up)", at=at) == before


NATIVE = [d for d in HERE if d.native]


def _selector(name, labels):
    """A PromQL selector of UTF-8 names: every name and value quoted."""
    return "{" + ", ".join([json.dumps(name)] + [f"{json.dumps(k)}={json.dumps(v)}" for k, v in sorted(labels.items())]) + "}"


@pytest.mark.parametrize("dataset", NATIVE or [pytest.param(None, marks=pytest.mark.skip(
    reason="this lab's Prometheus is 2.x: its data sets have no native histograms"))], ids=lambda d: d.name if d else "none")
def test_its_native_histograms_hold_what_the_data_set_wrote(dataset):
    """The remote write of provision/remote_write.py judged by the Prometheus that serves it: every native histogram
    of an OpenTelemetry data set reads back with its count, sum and buckets at the time the checks ask."""
    at = dataset.end
    series = [(labels, values[-1]) for name, labels, values in dataset.build(LAB, 3) if name == otel_data.METRIC]
    assert series
    for labels, want in series:
        found = SERVER.query(_selector(otel_data.METRIC, labels), at=at)
        assert len(found) == 1, f"{labels}: {found}"
        got = found[0]["histogram"][1]
        assert float(got["count"]) == want.count and abs(float(got["sum"]) - want.sum) < 1e-6 * want.sum, (labels, got)
        assert [float(b[3]) for b in got["buckets"]] == [float(c) for _, c in want.buckets], labels


def test_its_web_ui_loads_whole_where_the_labs_does():
    """Exercises send students to the data sets' own query page: every script and style its page names answers (the
    UI the lab builds for Debian's Prometheus 3 is served from --web.user-assets, which this unit needs too)."""
    page = http.get(f"{SERVER.url}/query", timeout=10)
    assets = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', page.text)
    if not assets:
        pytest.skip("the data sets' Prometheus serves no UI page with scripts here (Debian's Prometheus 2 has its own "
                    "classic UI, Debian's 3 none when it could not be built)")
    missing = [a for a in assets if http.get(f"{SERVER.url}{a}", timeout=10).status_code != 200]
    assert not missing, f"{SERVER.url}/query names {missing}, which do not answer"
