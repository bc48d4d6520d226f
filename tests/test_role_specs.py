"""A role's role.yaml is data the catalogue and the schema read: what they cannot read is refused naming the file and
the field, and what they read is what the lab had (the roles, in their order; the keys each role adds)."""

from pathlib import Path

import pytest

from provision import catalogue, render, schema
from provision.catalogue import RoleSpecError

GOOD = "order: 10\n"


def folder_with(tmp_path, specs):
    for role, text in specs.items():
        (tmp_path / role).mkdir()
        (tmp_path / role / "role.yaml").write_text(text)
    return tmp_path


@pytest.mark.parametrize("text, says", [
    ("[1, 2]\n", "provision/roles/demo/role.yaml: is not a mapping"),
    ("own: true\n", "provision/roles/demo/role.yaml: has no order"),
    ("order: ten\n", "provision/roles/demo/role.yaml: order: is not a int"),
    ("order: true\n", "provision/roles/demo/role.yaml: order: is not a int"),
    ("order: 10\ncolour: red\n", "provision/roles/demo/role.yaml: colour: is an unknown field; allowed: order, own"),
    ("order: 10\nown: true\n", "provision/roles/demo/role.yaml: own: a program of promlab's own needs about and record"),
    ("order: 10\nserver: {package: redis-server}\n", "provision/roles/demo/role.yaml: server: needs exactly name, package, versions"),
    ("order: 10\ndashboard: {title: X, up: x_up, level: {name: a}, rate: {name: b, expr: c, unit: d}}\n",
     "provision/roles/demo/role.yaml: dashboard: needs title, up, and level and rate"),
    ("order: [10\n", "provision/roles/demo/role.yaml: is not YAML"),
    ("order: 10\nserver: {package: p, name: P, versions: '17'}\n", "provision/roles/demo/role.yaml: server: needs exactly"),
], ids=["a-list", "no-order", "order-not-a-number", "order-a-switch", "unknown-field", "own-without-its-record",
        "server-incomplete", "dashboard-panel-incomplete", "not-yaml", "versions-not-a-mapping"])
def test_a_role_yaml_the_catalogue_cannot_read_is_refused_naming_file_and_field(tmp_path, text, says):
    with pytest.raises(RoleSpecError) as refused:
        catalogue.read(folder_with(tmp_path, {"demo": text}))
    assert str(refused.value).startswith(says)


def test_two_roles_at_the_same_place_are_refused(tmp_path):
    with pytest.raises(RoleSpecError, match=r"^provision/roles/: a and b give the same order; each role its own$"):
        catalogue.read(folder_with(tmp_path, {"a": GOOD, "b": GOOD}))


def test_a_folder_not_named_like_a_role_is_refused(tmp_path):
    with pytest.raises(RoleSpecError, match=r"the folder's name is not a role name"):
        catalogue.read(folder_with(tmp_path, {"Demo-Role": GOOD}))


def test_roles_come_in_their_order_not_their_names(tmp_path):
    found = catalogue.read(folder_with(tmp_path, {"a": "order: 30\n", "b": "order: 10\n", "c": "order: 20\n"}))
    assert list(found) == ["b", "c", "a"]


@pytest.mark.parametrize("keys, says", [
    ({"x": 9999}, "x: needs type, doc and fr"),
    ({"x": {"type": "service_port", "doc": "d"}}, "x: needs type, doc and fr"),
    ({"x": {"type": "service_port", "doc": "d", "fr": "f", "colour": 1}}, "x: needs type, doc and fr"),
    ({"x": {"type": "service_port", "doc": "d", "fr": ""}}, "x: needs type, doc and fr"),
    ({"x": {"type": "porte", "doc": "d", "fr": "f"}}, "x.type: is neither one of service_port"),
    ({"x": {"type": {"kind": "colour"}, "doc": "d", "fr": "f"}}, "x.type: is neither one of service_port"),
    ({"x": {"type": {"kind": "text", "en": "e"}, "doc": "d", "fr": "f"}}, "x.type: a text takes en, fr, pattern, what"),
    ({"x": {"type": {"kind": "text", "en": "e", "fr": "f", "pattern": "(["}, "doc": "d", "fr": "f"}},
     "x.type.pattern: is not a regular expression"),
    ({"x": {"type": {"kind": "record", "en": "e", "fr": "f", "keys": {"y": {"type": "job"}}}, "doc": "d", "fr": "f"}},
     "x.type.keys.y: needs type, doc and fr"),
    ({"x": {"type": "service_port", "doc": "d", "fr": "f", "default": 80}}, "x.default: 80 is out of range"),
    ({"x": {"type": "job", "doc": "d", "fr": "f", "default": "prometheus"}}, "x.default: 'prometheus' is not a job name"),
    ({"x": {"type": {"kind": "duration", "en": "e", "fr": "f", "low": 1, "high": 60}, "doc": "d", "fr": "f",
            "default": "2m"}}, "x.default: '2m' is out of range"),
    ({"x": {"type": {"kind": "duration", "en": "e", "fr": "f", "low": "x", "high": 60}, "doc": "d", "fr": "f"}},
     "x.type.low: 'x' is not a number"),
    ({"x": {"type": {"kind": "size", "en": "e", "fr": "f", "low": 1, "high": True}, "doc": "d", "fr": "f"}},
     "x.type.high: True is not a whole number"),
    ({"x": {"type": {"kind": "text", "en": ["e"], "fr": "f"}, "doc": "d", "fr": "f"}}, "x.type.en: ['e'] is not a text"),
], ids=["not-a-mapping", "no-french", "unknown-field", "empty-french", "unknown-type", "unknown-kind", "kind-lacking-a-part",
        "pattern-not-a-regex", "inner-key-without-docs", "default-port-privileged", "default-job-reserved",
        "default-duration-too-long", "duration-bound-a-word", "size-bound-a-switch", "english-words-a-list"])
def test_a_key_spec_the_schema_cannot_read_is_refused_naming_the_key(keys, says):
    with pytest.raises(ValueError) as refused:
        schema.spec_keys(keys, "keys")
    assert str(refused.value).startswith(f"keys.{says}")


def test_a_spelt_out_key_validates_like_the_schema_s_own():
    key = schema.spec_keys({"stale": {"type": {"kind": "duration", "en": "1s to 1m", "fr": "1s à 1m", "low": 1, "high": 60},
                                      "doc": "d", "fr": "f", "default": "10s"}}, "keys")["stale"]
    assert (key.default, key.type.wrong("30s"), key.type.wrong("2m")) == ("10s", None, "is out of range")


def test_a_key_is_required_optional_or_defaulted_as_its_spec_says():
    keys = schema.spec_keys({"a": {"type": "job", "doc": "d", "fr": "f"},
                             "b": {"type": "job", "doc": "d", "fr": "f", "optional": True},
                             "c": {"type": "job", "doc": "d", "fr": "f", "default": "c"}}, "keys")
    assert [keys[k].default for k in "abc"] == [schema.REQUIRED, None, "c"]


def test_the_lab_s_roles_are_found_in_their_order_with_their_port_keys():
    assert (catalogue.ROLES, schema.PORT_KEYS) == (
        ("prometheus", "alertmanager", "grafana", "node_exporter", "blackbox_exporter", "postgres_exporter",
         "mysqld_exporter", "nginx_exporter", "redis_exporter", "victoriametrics", "thanos", "classroom"),
        {"prometheus": ("datasets_port",), "alertmanager": ("receiver_port", "cluster_port"),
         "thanos": ("grpc_port", "sidecar_port", "sidecar_grpc_port", "store_port", "store_grpc_port"),
         "classroom": ("reports_port",)})


def test_a_template_name_is_in_one_folder_only():
    names = [path.name for folder in render.searched() for path in Path(folder).glob("*.j2")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
