"""The alert rules: promtool accepts them, and `promtool test rules` proves when each fires and when not."""

import shutil
import subprocess

from provision import inventory
from provision.roles import prometheus
from tests.conftest import needs_promtool, sized

RULE_TESTS = inventory.REPO / "tests" / "rules" / "promlab.test.yml"
TEST_ALERTS = {"instance_down_for": "15s", "memory_available_below": 0.10, "cpu_busy_above": 0.80, "disk_available_below": 0.10}


def _rules(lab):
    return next(i for i in prometheus.files(lab, lab.prometheus_node) if i.path == prometheus.RULES)


def test_rules_take_lab_values(lab_yaml):
    raw = sized(lab_yaml, 2)
    raw["alerts"] = dict(raw["alerts"], instance_down_for="42s", disk_available_below=0.07)
    text = _rules(inventory.parse(raw, env={})).text()
    assert "for: 42s" in text and "< 0.07" in text


@needs_promtool
def test_promtool_accepts_the_rules(lab_yaml, tmp_path):
    (tmp_path / "rules.yml").write_text(_rules(inventory.parse(sized(lab_yaml, 2), env={})).text())
    proc = subprocess.run(["promtool", "check", "rules", str(tmp_path / "rules.yml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_promtool
def test_rule_unit_tests_pass(lab_yaml, tmp_path):
    raw = sized(lab_yaml, 2)
    raw["alerts"] = TEST_ALERTS
    (tmp_path / "rules.yml").write_text(_rules(inventory.parse(raw, env={})).text())
    shutil.copy(RULE_TESTS, tmp_path / "promlab.test.yml")
    proc = subprocess.run(["promtool", "test", "rules", "promlab.test.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_prometheus_config_sends_alerts_to_the_alertmanager_node(lab_yaml):
    lab = inventory.parse(lab_yaml, env={})
    config = next(i for i in prometheus.files(lab, lab.prometheus_node) if i.path == prometheus.CONFIG).text()
    assert 'targets: ["192.168.56.11:9093"]' in config and "/etc/prometheus/rules/*.rules.yml" in config


def test_no_alerting_section_without_an_alertmanager(lab_yaml):
    lab = inventory.parse(lab_yaml, env={"LAB_SKIP_ROLES": "alertmanager"})
    config = next(i for i in prometheus.files(lab, lab.prometheus_node) if i.path == prometheus.CONFIG).text()
    assert "alerting:" not in config
