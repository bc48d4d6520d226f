"""The example inventories are lab.yaml with one change each: their pins and settings cannot drift from it."""

import yaml

from provision import inventory

LAB = yaml.safe_load((inventory.REPO / "lab.yaml").read_text())


def test_the_cluster_example_is_lab_yaml_with_alertmanager_on_three_nodes():
    path = inventory.REPO / "examples" / "alertmanager-cluster.yaml"
    example = yaml.safe_load(path.read_text())
    lab = inventory.load(path, env={})
    assert [n.name for n in lab.nodes_with("alertmanager")] == ["node1", "node2", "node3"]
    for node in example["nodes"]:
        node["roles"] = [r for r in node["roles"] if r != "alertmanager" or node["name"] == "node1"]
    assert example == LAB, "examples/alertmanager-cluster.yaml differs from lab.yaml beyond its Alertmanagers"
