"""The example inventories are overlays on lab.yaml (tests/test_overlays.py): what each one changes, stated, so that an
overlay never changes more than it says."""

from tests import pristine

LAB = pristine.raw("lab.yaml")  # as committed: a student's lab.yaml is theirs
# What examples/ha.yaml adds to lab.yaml's nodes: a second Prometheus, two more Alertmanagers, the global view.
HA_ROLES = {"node2": ["prometheus", "alertmanager"], "node3": ["alertmanager", "victoriametrics"]}


def test_the_ha_example_is_lab_yaml_with_replicas_a_cluster_and_a_global_view():
    example = pristine.raw("examples/ha.yaml")
    for node in example["nodes"]:
        node["roles"] = [r for r in node["roles"] if r not in HA_ROLES.get(node["name"], [])]
        node.pop("memory", None) if node["name"] in HA_ROLES else None
    assert example == LAB, "examples/ha.yaml differs from lab.yaml beyond its replicas, cluster and global view"


def test_the_ha_example_has_two_replicas_three_alertmanagers_and_victoriametrics():
    lab = pristine.lab("examples/ha.yaml")
    assert [n.name for n in lab.nodes_with("prometheus")] == ["node1", "node2"]
    assert [n.name for n in lab.nodes_with("alertmanager")] == ["node1", "node2", "node3"]
    assert lab.global_view.role == "victoriametrics" and lab.global_view.node.name == "node3"


# What examples/forky.yaml changes: the apt method, and these components from Debian's testing suite.
FORKY = ("prometheus", "alertmanager", "node_exporter", "blackbox_exporter", "postgres_exporter", "mysqld_exporter",
         "nginx_exporter", "redis_exporter", "victoriametrics")


def test_the_forky_example_is_lab_yaml_with_prometheus_3_and_the_exporters_from_forky():
    example = pristine.raw("examples/forky.yaml")
    assert example["lab"].pop("install_method") == "apt"
    assert sorted(n for n, c in example["components"].items() if c.get("apt", {}).pop("suite", None) == "forky") == sorted(FORKY)
    expected = dict(LAB, lab={k: v for k, v in LAB["lab"].items() if k != "install_method"})
    assert example == expected, "examples/forky.yaml differs from lab.yaml beyond its method and suites"


def test_the_forky_example_never_turns_off_apts_replay_protection_itself():
    """A frozen mirror is the user's to declare (LAB_APT_SNAPSHOT=1 in the environment), never the example's."""
    text = pristine.text("examples/forky.yaml")
    assert "Check-Valid-Until" not in text and "snapshot: " not in text.lower().replace("# ", "")


def test_the_libvirt_example_is_lab_yaml_with_two_machines_its_own_network_and_box():
    example = pristine.raw("examples/libvirt.yaml")
    assert example["lab"].pop("network") == "192.168.58.0/24" and example["lab"].pop("install_method") == "apt"
    assert example["boxes"].pop("libvirt") == "promlab/debian-13"
    assert [n["name"] for n in example.pop("nodes")] == ["node1", "node2"]
    expected = {k: v for k, v in LAB.items() if k != "nodes"}
    expected = dict(expected, lab={k: v for k, v in LAB["lab"].items() if k not in ("network", "install_method")},
                    boxes={k: v for k, v in LAB["boxes"].items() if k != "libvirt"})
    assert example == expected, "examples/libvirt.yaml differs from lab.yaml beyond its machines, network, method and box"
