"""Exercise 9's judge of a student's rule test (provision/rule_test_judge.py), run with this machine's promtool: a test is
credited with catching a wrong rule only when that wrong rule loads and the test then fails."""

import shutil

import pytest

from provision import rule_test_judge

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed on this machine "
                                "(Debian: apt-get install prometheus): the judge is promtool test rules")
RECORD = "node:memory_used:ratio"
RULES = """groups:
  - name: mine
    rules:
      - record: node:memory_used:ratio
        expr: {expr}
"""
TEST = """rule_files: [rules.yml]
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'node_memory_MemTotal_bytes{{node="node2"}}'
        values: '1000x4'
      - series: 'node_memory_MemAvailable_bytes{{node="node2"}}'
        values: '{available}x4'
    promql_expr_test:
      - expr: node:memory_used:ratio
        eval_time: 1m
        exp_samples:
          - labels: 'node:memory_used:ratio{{node="node2"}}'
            value: {used}
"""


def examined(tmp_path, expr, available, used):
    (tmp_path / "rules.yml").write_text(RULES.format(expr=expr))
    (tmp_path / "9.test.yml").write_text(TEST.format(available=available, used=used))
    return rule_test_judge.examine(str(tmp_path / "9.test.yml"), RECORD, shutil.which("promtool"))


@pytest.mark.parametrize("expr", [
    "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
    "|\n          1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes  # used share",
    "'1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes  # a comment PromQL reads to the end of the line'",
])
def test_a_test_with_exact_values_catches_every_wrong_rule(tmp_path, expr):
    result = examined(tmp_path, expr, 250, 0.75)
    assert result["passes"] and result["survivors"] == [] and result["unloaded"] == [], result


def test_a_test_on_a_half_full_node_lets_the_complement_survive(tmp_path):
    result = examined(tmp_path, "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", 500, 0.5)
    assert result["passes"] and result["survivors"] == ["complement"], result
