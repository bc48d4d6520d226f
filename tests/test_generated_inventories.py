"""Inventories drawn from the schema itself (Hypothesis), not a list: lab.yaml with one value changed, to a value of
the key's own type near its bounds, or to one of the classes of wrong values (digits of other scripts, YAML keywords,
control and white-space characters, numbers Python refuses, values of another type, units a Go flag does not read).

- A refused inventory gets one sentence per problem, naming the field, within a second, never a traceback.
- An accepted one renders, and every rendered file passes its reader: YAML and INI parse, to the very values of the
  model (a node named `null` is the string "null" in prometheus.yml); promtool accepts prometheus.yml and the rules;
  amtool accepts alertmanager.yml; systemd reads every unit.

HYPOTHESIS_PROFILE=ci draws more examples (.ci/run); the default keeps `make test-fast` quick.
"""

import configparser
import ipaddress
import os
import shutil
import subprocess
import time

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from host import rendering
from provision import inventory, schema
from tests import pristine

QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much]  # accepted inventories are drawn among refused ones
settings.register_profile("default", max_examples=150, deadline=None, suppress_health_check=QUIET)
settings.register_profile("ci", max_examples=600, deadline=None, suppress_health_check=QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

RAW = pristine.raw()


# --- Where a value goes, and what it may be -------------------------------------------------------------------------

# Each place: (path in lab.yaml, its schema type). The nodes' names and the component's job are the ones that land
# unquoted in rendered YAML and INI; durations, sizes and shares are read by Prometheus, Go flags and Grafana.
NODE = ("nodes", 3)
PLACES = {
    "node name": (NODE + ("name",), schema.NAME),
    "job": (("components", "node_exporter", "job"), schema.component().keys["job"].type),
    "replica label": (("components", "prometheus", "replica_label"), schema.REPLICA_LABEL),
    "datasource uid": (("components", "grafana", "datasource_uid"), schema.EXTRA["grafana"]["datasource_uid"].type),
    "grafana admin": (("components", "grafana", "admin_user"), schema.NAME),
    "scrape interval": (("lab", "scrape_interval"), schema.INTERVAL),
    "retention time": (("lab", "retention_time"), schema.SCHEMA.keys["lab"].type.keys["retention_time"].type),
    "retention size": (("lab", "retention_size"), schema.SCHEMA.keys["lab"].type.keys["retention_size"].type),
    "instance down for": (("alerts", "instance_down_for"), schema.SCHEMA.keys["alerts"].type.keys["instance_down_for"].type),
    "memory share": (("alerts", "memory_available_below"), schema.SHARE),
    "memory": (NODE + ("memory",), schema.MIB),
    "port": (("components", "node_exporter", "port"), schema.component().keys["port"].type),
    "receiver port": (("components", "alertmanager", "receiver_port"), schema.SERVICE_PORT),
    "network": (("lab", "network"), schema.SCHEMA.keys["lab"].type.keys["network"].type),
    "server unit": (("components", "postgres_exporter", "subject"), schema.component().keys["subject"].type),
    "version": (("components", "node_exporter", "version"), schema.component().keys["version"].type),
}


def _duration(high_unit):
    units = ["ms", "s", "m", "h"] + (["d", "w", "y"] if high_unit else [])
    return st.lists(st.tuples(st.integers(0, 999), st.sampled_from(units)), min_size=1, max_size=3).map(
        lambda parts: "".join(f"{n}{u}" for n, u in sorted(parts, key=lambda p: -schema.UNIT_SECONDS[p[1]])))


def valid(kind):
    """Values of the type's own grammar, bounds included (the validator may still refuse one out of range)."""
    if isinstance(kind, schema.Text):
        return st.from_regex(kind.pattern, fullmatch=True, alphabet=st.characters(codec="ascii"))
    if isinstance(kind, schema.Integer):
        return st.one_of(st.sampled_from([kind.low, kind.high, kind.low + 1, kind.high - 1]), st.integers(kind.low, kind.high))
    if isinstance(kind, schema.Duration):
        return _duration(not kind.go)
    if isinstance(kind, schema.Size):
        return st.tuples(st.integers(0, 99999), st.sampled_from(list(schema.UNIT_BYTES))).map(lambda p: f"{p[0]}{p[1]}")
    if isinstance(kind, schema.Network):  # the prefix form and the netmask and hostmask forms Python reads too
        return st.tuples(st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.56.0"]), st.integers(16, 29)).flatmap(
            lambda p: st.sampled_from([f"{p[0]}/{p[1]}", str(ipaddress.IPv4Network(f"{p[0]}/{p[1]}", strict=False).with_netmask),
                                       str(ipaddress.IPv4Network(f"{p[0]}/{p[1]}", strict=False).with_hostmask)]))
    if isinstance(kind, schema.Share):
        return st.one_of(st.sampled_from([0.001, 0.5, 0.999]), st.floats(0.0001, 0.9999))
    raise TypeError(kind)


YAML_WORDS = ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "1e3", "0x1f", "08", ".inf", "-", "<<"]
OTHER_DIGITS = ["١٥", "१५", "１５", "٣", "෧"]  # Arabic-Indic, Devanagari, fullwidth, ... digits: `\d` takes them
OTHER_SCRIPTS = st.sampled_from(OTHER_DIGITS).flatmap(lambda d: st.sampled_from([d, f"{d}s", f"{d}m", f"{d}GB", f"{d}.1.0",
                                                                                f"node{d}", f"a{d}"]))
WRONG = st.one_of(
    st.sampled_from(YAML_WORDS),
    OTHER_SCRIPTS,
    st.sampled_from(["15s\n", " 15s", "node\u00073", "a b", "", "\u200b", "node\u2028x", "1d", "1w2d", "1y", "15 s", "15S"]),
    # what Python reads and another reader does not: a netmask, a privileged or too high port, a unit of another server
    st.sampled_from(["192.168.56.0/255.255.255.0", "10.1.0.0/0.0.255.255", 80, 443, 1023, 65536, "ssh", "ssh.service"]),
    st.sampled_from([10**30, -1, 0, 2**63, 1.5, float("inf"), True, None, [], {}, ["15s"]]),
    st.text(min_size=1, max_size=12),
)


def problems_of(raw):
    """(the Lab, []) or (None, problems), with how long the validator took."""
    started = time.monotonic()
    try:
        return inventory.parse(raw, env={}), [], time.monotonic() - started
    except inventory.InventoryError as e:
        return None, e.problems, time.monotonic() - started


@st.composite
def inventories(draw, values):
    place = draw(st.sampled_from(sorted(PLACES)))
    path, kind = PLACES[place]
    return place, path, pristine.changed(RAW, path, draw(values(kind)))


def _field(path):
    """How a problem names the field at `path` (a node by its index, and by its name when it has one)."""
    parts = []
    for key in path:
        if isinstance(key, int):
            parts[-1] += f"[{key}]"
        else:
            parts.append(str(key))
    return ".".join(parts)


# --- Refused: one sentence naming the field, fast, never a traceback -------------------------------------------------

@given(inventories(lambda kind: WRONG))
def test_a_refused_inventory_gets_one_sentence_naming_the_field(case):
    place, path, raw = case
    lab, problems, took = problems_of(raw)
    assert took < 1, f"{place}: the validator took {took:.2f} s"
    if lab is not None:
        return  # accepted: the rendering property below holds it to account
    assert problems and all("\n" not in p and len(p) < 600 for p in problems), problems
    top = path[0]
    assert any(p.startswith(top) for p in problems), f"{place}: no problem names {_field(path)}: {problems}"


@given(inventories(lambda kind: OTHER_SCRIPTS))
def test_digits_of_other_scripts_are_refused(case):
    place, path, raw = case
    lab, problems, _ = problems_of(raw)
    assert lab is None, f"{place}: {_field(path)}, a value with digits of another script, was accepted"


# --- Accepted: it renders, and every file reads back as the model says --------------------------------------------

def _rendered(lab, folder):
    rendering.write_tree(lab, folder)
    return folder


def _yaml_files(folder):
    return [p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()]


@given(inventories(lambda kind: st.one_of(valid(kind), WRONG)))
@settings(max_examples=60)
def test_an_accepted_inventory_renders_files_that_read_back_as_the_model(tmp_path_factory, case):
    place, path, raw = case
    lab, problems, _ = problems_of(raw)
    assume(lab is not None)
    folder = _rendered(lab, tmp_path_factory.mktemp("rendered"))
    for path_ in _yaml_files(folder):
        yaml.safe_load(path_.read_text())  # every YAML file parses
    config = yaml.safe_load((folder / lab.prometheus_node.name / "etc/prometheus/prometheus.yml").read_text())
    labels = {sc["labels"]["node"] for job in config["scrape_configs"] for sc in job["static_configs"]}
    assert labels <= {n.name for n in lab.nodes} and all(isinstance(v, str) for v in labels), labels
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert all(isinstance(j, str) for j in jobs) and lab.components["node_exporter"]["job"] in jobs
    if lab.replica_label:
        assert isinstance(list(config["global"]["external_labels"])[-1], str)
    for ini in folder.rglob("grafana.ini"):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(ini.read_text())
        assert parser["security"]["admin_user"] == lab.components["grafana"]["admin_user"]
    for datasource in folder.rglob("datasources/*.yaml"):
        sources = yaml.safe_load(datasource.read_text())["datasources"]
        assert sources[0]["uid"] == lab.components["grafana"]["datasource_uid"] and isinstance(sources[0]["uid"], str)


needs = {tool: pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed on this machine "
                                  f"(Debian: {package})") for tool, package in
         (("promtool", "prometheus"), ("amtool", "prometheus-alertmanager"), ("systemd-analyze", "systemd"))}


def _accepted(draw_case):
    place, path, raw = draw_case
    lab, _, _ = problems_of(raw)
    assume(lab is not None)
    return lab


@needs["promtool"]
@given(inventories(lambda kind: st.one_of(valid(kind), WRONG)))
@settings(max_examples=25)
def test_promtool_accepts_what_an_accepted_inventory_renders(tmp_path_factory, case):
    lab = _accepted(case)
    folder = _rendered(lab, tmp_path_factory.mktemp("rendered")) / lab.prometheus_node.name / "etc" / "prometheus"
    for args in (("check", "config", "--syntax-only", folder / "prometheus.yml"),
                 ("check", "rules", folder / "rules" / "promlab.rules.yml")):
        proc = subprocess.run(["promtool", *map(str, args)], capture_output=True, text=True)
        assert proc.returncode == 0, f"promtool {args[:2]}: {proc.stdout}{proc.stderr}"


@needs["amtool"]
@given(inventories(lambda kind: st.one_of(valid(kind), WRONG)))
@settings(max_examples=15)
def test_amtool_accepts_what_an_accepted_inventory_renders(tmp_path_factory, case):
    lab = _accepted(case)
    folder = _rendered(lab, tmp_path_factory.mktemp("rendered"))
    for config in folder.rglob("alertmanager.yml"):
        (config.parent / "receiver-token").write_text("token\n")  # the file its credentials_file names
        text = config.read_text().replace("/etc/alertmanager/receiver-token", str(config.parent / "receiver-token"))
        config.write_text(text)
        proc = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True)
        assert proc.returncode == 0, f"amtool: {proc.stdout}{proc.stderr}"


@needs["systemd-analyze"]
@given(inventories(lambda kind: st.one_of(valid(kind), WRONG)))
@settings(max_examples=10)
def test_systemd_reads_every_unit_an_accepted_inventory_renders(tmp_path_factory, case):
    """systemd-analyze verify on each unit: its syntax and settings (the programs it names are not on this machine:
    that complaint is the only one allowed)."""
    lab = _accepted(case)
    folder = _rendered(lab, tmp_path_factory.mktemp("rendered"))
    for unit in folder.rglob("*.service"):
        proc = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True,
                              env=dict(os.environ, SYSTEMD_LOG_LEVEL="warning"))
        complaints = [line for line in (proc.stdout + proc.stderr).splitlines()
                      if line.strip() and "is not executable" not in line and "No such file or directory" not in line
                      and "Failed to prepare filename" not in line and "bus" not in line.lower()
                      and "not found" not in line.lower()]
        assert not complaints, f"{unit.name}: {complaints[:5]}"
