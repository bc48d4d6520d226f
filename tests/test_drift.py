"""Check mode names a drift by what it means (provision/drift.py): a configuration reflowed by a YAML tool (comments
dropped, keys reordered, flow or block style) differs only in form; a target, a rule or a setting taken away is named
in the configuration's own terms."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from host import rendering
from provision import drift
from tests import pristine


def _prometheus_yml():
    lab = pristine.lab()
    return next(item.text() for item in rendering.node_files(lab, lab.prometheus_node) if item.path == "/etc/prometheus/prometheus.yml")


@given(flow=st.booleans(), sort_keys=st.booleans(), width=st.sampled_from([40, 80, 200]))
@settings(max_examples=20, deadline=None)
def test_a_configuration_reflowed_by_a_yaml_tool_differs_only_in_form(flow, sort_keys, width):
    text = _prometheus_yml()
    reflowed = yaml.safe_dump(yaml.safe_load(text), default_flow_style=flow, sort_keys=sort_keys, width=width)
    assert reflowed != text
    assert drift.meaning("prometheus.yml", reflowed, text).startswith("differs only in form")


def test_a_target_taken_away_is_named_with_its_job_and_node():
    text = _prometheus_yml()
    config = yaml.safe_load(text)
    node_job = next(j for j in config["scrape_configs"] if j["job_name"] == "node")
    gone = node_job["static_configs"].pop(1)
    said = drift.meaning("prometheus.yml", yaml.safe_dump(config), text)
    assert said.startswith(f"job node has no target {gone['targets'][0]} ({gone['labels']['node']})"), said


def test_a_changed_setting_is_named_by_its_path():
    text = _prometheus_yml()
    config = yaml.safe_load(text)
    config["global"]["scrape_interval"] = "1m"
    said = drift.meaning("prometheus.yml", yaml.safe_dump(config), text)
    assert "global.scrape_interval is '1m', provisioning makes it '15s'" in said


def test_a_rule_taken_away_is_named():
    want = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n      - record: r:x\n        expr: sum(up)\n"
    have = "groups: [{name: g, rules: [{alert: A, expr: up == 0}]}]\n"
    assert drift.meaning("r.yml", have, want) == "no record rule r:x"


def test_a_unit_whose_flag_changed_names_the_key_and_one_reformatted_differs_only_in_form():
    want = "[Service]\n# comment\nExecStart=/usr/bin/x \\\n    --a=1 \\\n    --b=2\nUser=x\n"
    assert drift.unit_meaning("u", "[Service]\nUser=x\nExecStart=/usr/bin/x --a=1 --b=2\n", want).startswith("differs only in form")
    said = drift.unit_meaning("u", "[Service]\nExecStart=/usr/bin/x --a=1 --b=3\nUser=x\n", want)
    assert said == "[Service] ExecStart is '/usr/bin/x --a=1 --b=3', provisioning makes it '/usr/bin/x --a=1 --b=2'"


def test_text_that_is_not_yaml_gets_no_meaning():
    assert drift.meaning("x.yml", "a: [", "a: 1\n") is None
