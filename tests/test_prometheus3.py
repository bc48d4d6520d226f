"""Which Prometheus a lab runs, and what follows from it (provision/features.py): the flags its units get, the data sets
and exercises it can take; an exercise for Prometheus 3 on a Prometheus 2 says so in one sentence."""

import pytest

from exercises import exercises
from exercises.base import Context
from provision import datasets, features
from provision.roles import prometheus
from tests import pristine

APT = {"LAB_INSTALL_METHOD": "apt"}
LABS = {"release": ("lab.yaml", {}), "forky": ("examples/forky.yaml", {}), "trixie": ("lab.yaml", APT)}
PROMETHEUS3 = [n for n, e in exercises().items() if e.prometheus3]


def _lab(name):
    relative, env = LABS[name]
    return pristine.lab(relative, env=env)


@pytest.mark.parametrize(("name", "version", "build"), [("release", None, "upstream"), ("forky", (3, 5, 3), "debian"),
                                                      ("trixie", (2, 53, 3), "debian")])
def test_the_model_knows_which_prometheus_the_lab_installs(name, version, build):
    lab = _lab(name)
    wanted = version or features.parse(lab.components["prometheus"]["version"])
    assert (lab.prometheus_release.version, lab.prometheus_release.build) == (wanted, build)


@pytest.mark.parametrize(("version", "build", "flags"), [
    ("3.5.3", "debian", ["--enable-feature=native-histograms", "--enable-feature=promql-experimental-functions"]),
    ("3.8.1", "upstream", ["--enable-feature=native-histograms", "--enable-feature=promql-experimental-functions"]),
    ("3.9.0", "upstream", ["--enable-feature=promql-experimental-functions"]),
    ("3.13.4", "upstream", ["--enable-feature=promql-experimental-functions"]),
    ("2.53.3", "debian", ["--enable-feature=native-histograms"]),
])
def test_a_feature_flag_is_given_only_where_that_prometheus_needs_it(version, build, flags):
    release = features.Release(features.parse(version), build)
    assert release.flags("native_histograms", "info_function") == flags


@pytest.mark.parametrize(("version", "build", "has"), [("3.5.3", "debian", False), ("3.13.4", "upstream", True),
                                                       ("2.53.3", "upstream", False)])
def test_the_otlp_receiver_is_known_missing_from_debians_build(version, build, has):
    assert features.Release(features.parse(version), build).has("otlp_receiver") is has


def _unit(lab, path):
    return next(f for f in prometheus.files(lab, lab.prometheus_node) if f.path == path).text()


@pytest.mark.parametrize("name", LABS)
def test_the_lab_prometheus_never_gets_the_native_histograms_flag(name):
    """Before 3.9 the flag would scrape Prometheus' own request durations as native and drop the classic buckets that
    exercise 4 and the dashboards read."""
    assert "native-histograms" not in _unit(_lab(name), "/etc/systemd/system/prometheus.service")


@pytest.mark.parametrize(("name", "experimental"), [("release", True), ("forky", True), ("trixie", False)])
def test_info_is_on_where_the_prometheus_is_a_3(name, experimental):
    lab = _lab(name)
    for path in ("/etc/systemd/system/prometheus.service", f"/etc/systemd/system/{prometheus.DATASETS}.service"):
        assert ("--enable-feature=promql-experimental-functions" in _unit(lab, path)) is experimental, path


@pytest.mark.parametrize(("name", "native"), [("release", True), ("forky", True), ("trixie", False)])
def test_the_opentelemetry_data_sets_are_a_prometheus_3s(name, native):
    lab = _lab(name)
    assert bool(datasets.native_batches(lab, lab.prometheus_release.major)) is native
    assert {d.name for d in datasets.DATASETS.values() if d.applies(lab) and d.native} == ({"otel-a", "otel-b"} if native else set())


@pytest.mark.parametrize("number", PROMETHEUS3)
def test_an_exercise_for_prometheus_3_on_a_prometheus_2_says_so_in_one_sentence(number):
    lab = _lab("trixie")
    findings = exercises()[number].check(Context(lab, prometheus=None, datasets=None))  # asks no server
    assert len(findings) == 1 and not findings[0].done
    text = findings[0].text
    assert "needs Prometheus 3" in text.en and "2.53.3" in text.en and "LAB_FILE=examples/forky.yaml make up" in text.en
    assert "demande Prometheus 3" in text.fr and "\u202f:" in text.fr


@pytest.mark.parametrize("number", PROMETHEUS3)
@pytest.mark.parametrize(("name", "fits"), [("release", True), ("forky", True), ("trixie", False)])
def test_an_exercise_for_prometheus_3_fits_only_a_prometheus_3(number, name, fits):
    assert exercises()[number].fits(_lab(name)) is fits
