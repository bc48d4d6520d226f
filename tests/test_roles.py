"""A role is one place: its module holds every part the lab asks of it, and this fails when one is missing."""

import types

import pytest
import yaml

from provision import inventory, roles
from provision.catalogue import FOLDER

LAB = inventory.parse(yaml.safe_load((inventory.REPO / "lab.yaml").read_text()), env={})
SERVER_EXPORTERS = LAB.server_exporters()
EXPORTERS = [r for r in roles.ROLES if LAB.components[r].get("job") and r.endswith("_exporter")]


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_role_has_its_module_parts_and_a_component(role):
    parts = roles.contract(role)
    assert parts.name == role and role in LAB.components


@pytest.mark.parametrize("role", EXPORTERS)
def test_every_exporter_has_its_unit_template_in_its_folder(role):
    assert (FOLDER / role / f"{role}.service.j2").is_file(), f"provision/roles/{role}/{role}.service.j2 is missing"


@pytest.mark.parametrize("role", SERVER_EXPORTERS)
@pytest.mark.parametrize("part", ["server_package", "server_ports", "dashboard", "lockout"])
def test_every_exporter_of_a_server_declares_each_part(role, part):
    assert getattr(roles.contract(role), part), f"provision/roles/{role} declares no {part}"


@pytest.mark.parametrize("role", SERVER_EXPORTERS)
def test_the_server_s_dashboard_row_shows_the_up_metric_lab_yaml_names(role):
    assert roles.contract(role).dashboard[1] == LAB.components[role]["subject_up"]


def test_a_module_missing_a_part_is_named(monkeypatch):
    monkeypatch.setattr(roles, "module", lambda role: types.SimpleNamespace(services=lambda lab, node: [], apply=None))
    with pytest.raises(TypeError, match=r"provision/roles/x/__init__\.py lacks files, apply"):
        roles.contract("x")
