"""A reset finds an exercise's additions by meaning, whatever YAML style the student wrote them in, and cuts them
alone: everything else stays byte for byte. The styles are generated (block or flow, quotes, key order, comments,
indentation, blank lines), and so is the student's own work planted beside them."""

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises import ex05_interval, ex06_node, own_targets, rules, yamledit
from exercises.rules import without_rule
from tests import pristine

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scalar(value):
    """A plain, single- or double-quoted YAML scalar of `value`."""
    return st.sampled_from([value, f"'{value}'", f'"{value}"'])


comment = st.sampled_from(["", "  # mine", " # added for the exercise"])


@st.composite
def node_entry(draw, name, roles=("node_exporter",)):
    """A list item under nodes: (indented two spaces, as lab.yaml's) naming `name`, in any style."""
    quoted_name = draw(scalar(name))
    role_items = [draw(scalar(r)) for r in roles]
    extra = draw(st.sampled_from([[], [("memory", "512")], [("cpus", "1")]]))
    if draw(st.booleans()):  # flow
        pairs = [("name", quoted_name), ("roles", f"[{', '.join(role_items)}]")] + extra
        pairs = draw(st.permutations(pairs))
        return f"  - {{{', '.join(f'{k}: {v}' for k, v in pairs)}}}{draw(comment)}\n"
    roles_block = draw(st.sampled_from(["flow", "indented", "flush"]))
    if roles_block == "flow":
        roles_lines = [f"roles: [{', '.join(role_items)}]{draw(comment)}"]
    else:  # the items two spaces in, or flush with the key
        roles_lines = ["roles:"] + [f"{'  ' if roles_block == 'indented' else ''}- {r}" for r in role_items]
    keys = [[f"name: {quoted_name}{draw(comment)}"], roles_lines] + [[f"{k}: {v}"] for k, v in extra]
    lines = [line for key in draw(st.permutations(keys)) for line in key]
    return "  - " + lines[0] + "\n" + "".join(f"    {line}\n" for line in lines[1:])


blank = st.sampled_from(["", "\n"])


@given(node7=node_entry("node7"), mine=node_entry("node8"), first=st.booleans(), gap=blank)
@SETTINGS
def test_exercise_6_removes_its_node7_in_any_style_and_keeps_the_students_node8(node7, mine, first, gap):
    base = pristine.text("lab.yaml")
    parts = [gap, node7, mine] if first else [gap, mine, node7]
    text = base + "".join(parts)
    assert [n["name"] for n in yaml.safe_load(text)["nodes"]][-2:] == (["node7", "node8"] if first else ["node8", "node7"])
    kept = [p for i, p in enumerate(parts) if p is not node7 and not (p == gap and parts[i + 1] is node7)]
    assert ex06_node.without_node(text, "node7") == base + "".join(kept)


@given(value=st.sampled_from(["10s", "'10s'", '"10000ms"', "10s  # faster", "1m"]))
@SETTINGS
def test_exercise_5_puts_the_committed_interval_back_whatever_was_written(value):
    base = pristine.text("lab.yaml")
    original = yaml.safe_load(base)["lab"]["scrape_interval"]
    text = base.replace(f"  scrape_interval: {original}\n", f"  scrape_interval: {value}\n")
    assert text != base
    back = ex05_interval._back(text, original)
    assert yaml.safe_load(back)["lab"]["scrape_interval"] == original
    assert back == text.replace(value.split("  #")[0], original, 1)


@st.composite
def job(draw, name, address, relabel=False):
    """A scrape job of the own-targets section (two spaces in, as the template's jobs) scraping `address`."""
    addr = draw(scalar(address))
    if draw(st.booleans()):
        static = f"      - {{targets: [{addr}], labels: {{node: node6}}}}\n"
    else:
        static = f"      - targets: [{addr}]{draw(comment)}\n        labels:\n          node: node6\n"
    text = f"  - job_name: {draw(scalar(name))}{draw(comment)}\n    static_configs:\n{static}"
    if relabel:
        text += draw(st.sampled_from([
            "    relabel_configs:\n      - source_labels: [__address__]\n        regex: '.*:(\\d+)'\n        target_label: port\n",
            "    relabel_configs:\n    - {source_labels: [__address__], regex: '[^:]+:(.*)', target_label: port}\n",
            "    relabel_configs: [{source_labels: [__address__], regex: '.*:(.*)', target_label: port, replacement: $1}]\n",
        ]))
        text += draw(st.sampled_from([
            "    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: 'go_.*'\n        action: drop\n",
            "    metric_relabel_configs: [{source_labels: [__name__], regex: go_.+, action: drop}]\n",
        ]))
    return text


END = "  # --- End of your own targets"


def with_own(jobs):
    template = pristine.text("templates/prometheus.yml.j2")
    assert END in template
    return template.replace(END, "".join(jobs) + END)


@given(exercise=job("process", "192.168.56.16:9256", relabel=True), mine=job("mine", "192.168.56.15:9100", relabel=True),
       first=st.booleans(), gap=blank)
@SETTINGS
def test_exercise_7_removes_the_job_scraping_its_exporter_and_keeps_the_students_own_job(exercise, mine, first, gap):
    jobs = [exercise, gap, mine] if first else [mine, gap, exercise]
    text = with_own(jobs)
    kept = [gap, mine] if first else [mine]  # the blank lines just before a removed job go with it
    assert own_targets.without_jobs(text, "192.168.56.16:9256") == with_own(kept)


@given(plain=job("process", "192.168.56.16:9256"), data=st.data())
@SETTINGS
def test_exercise_8_removes_only_the_relabelling_of_its_job(plain, data):
    relabelling = data.draw(job("process", "192.168.56.16:9256", relabel=True).filter(lambda j: True))
    extra = relabelling[relabelling.index("    relabel_configs"):]
    mine = data.draw(job("mine", "192.168.56.15:9100", relabel=True))
    text = with_own([plain + extra, mine])
    assert own_targets.without_keys(text, "192.168.56.16:9256", ["relabel_configs", "metric_relabel_configs"]) \
        == with_own([plain, mine])


def test_the_commented_example_of_the_section_is_never_taken_for_a_job():
    template = pristine.text("templates/prometheus.yml.j2")
    assert "192.168.56.13:9256" in template
    assert own_targets.without_jobs(template, "192.168.56.13:9256") == template


@st.composite
def rule(draw, kind, name, expr):
    key = draw(scalar(name))
    if draw(st.booleans()):
        return f"      - {{{kind}: {key}, expr: '{expr}'}}{draw(comment)}\n"
    return f"      - {kind}: {key}{draw(comment)}\n        expr: {expr}\n" + draw(st.sampled_from(["", "        for: 1m\n"]))


def group(name, rules_text):
    return f"\n  - name: {name}\n    rules:\n{rules_text}"


@given(exercise=rule("alert", "HighLoad", "node_load1 > 2"), mine=rule("record", "mine:up:count", "count(up)"),
       together=st.booleans())
@SETTINGS
def test_exercises_9_and_10_remove_their_rule_from_the_template_and_keep_the_students_own(exercise, mine, together):
    base = pristine.text(rules.TEMPLATE)
    if together:  # one group: the exercise's rule goes, the group stays with the student's rule
        text, expected = base + group("workshop", exercise + mine), base + group("workshop", mine)
    else:  # a group of its own: the group goes with it
        text, expected = base + group("workshop", exercise) + group("mine", mine), base + group("mine", mine)
    assert without_rule(text, "alert", "HighLoad", template=True) == expected


@given(exercise=rule("record", "node:memory_used:ratio", "1 - a / b"), mine=rule("alert", "MyAlert", "up == 0"))
@SETTINGS
def test_a_students_own_rule_file_keeps_its_other_rules(exercise, mine):
    text = "groups:" + group("mixed", exercise + mine)
    assert without_rule(text, "record", "node:memory_used:ratio") == "groups:" + group("mixed", mine)


def test_a_rule_file_left_without_rules_has_no_group_left():
    text = "groups:" + group("workshop", "      - record: node:memory_used:ratio\n        expr: 1 - a / b\n")
    assert not yaml.safe_load(without_rule(text, "record", "node:memory_used:ratio"))["groups"]


@pytest.mark.parametrize("text", ["groups: [", "nodes:\n  - {name: node7\n"])
def test_text_that_is_not_yaml_is_refused_unchanged(text):
    with pytest.raises(yamledit.Unparsable):
        yamledit.parse(text)


def test_jinja_tags_are_masked_with_filler_of_the_same_length():
    template = pristine.text(rules.TEMPLATE)
    masked = yamledit.mask(template)
    assert len(masked) == len(template) and "{{" not in masked and masked.count("\n") == template.count("\n")
