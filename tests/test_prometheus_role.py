"""The prometheus role's config step with the real promtool: a refused config never replaces the old one."""

import copy

import pytest

from provision import inventory, render, steps
from provision.roles import prometheus
from provision.steps import StepError
from tests.conftest import needs_promtool, sized


@pytest.fixture
def config(lab_yaml, run):
    steps.user(run, prometheus.NAME, home=prometheus.DATA)  # the config is owned by its group
    lab = inventory.parse(sized(lab_yaml, 3), env={})
    return next(i for i in prometheus.files(lab, lab.prometheus_node) if i.path == prometheus.CONFIG)


@needs_promtool
def test_accepted_config_is_installed(run, config):
    assert render.put(run, config, validate=lambda p: prometheus.check_config(run, "promtool", p))
    assert run.path(prometheus.CONFIG).read_text() == config.text()


@needs_promtool
def test_refused_config_keeps_the_old_one_and_quotes_promtool(run, config):
    render.put(run, config, validate=lambda p: prometheus.check_config(run, "promtool", p))
    broken = render.Rendered(config.path, config.template, dict(config.context, jobs=config.context["jobs"] * 2))
    with pytest.raises(StepError, match=r"refused by promtool.*\n.*(?s:.*)multiple scrape configs with job name"):
        render.put(run, broken, validate=lambda p: prometheus.check_config(run, "promtool", p))
    assert run.path(prometheus.CONFIG).read_text() == config.text()


def test_a_job_added_by_hand_in_the_template_is_a_hand_target(lab_yaml, tmp_path, monkeypatch):
    """The template is copied, never touched: the student's own section gets a job, the lab's jobs stay the lab's."""
    import shutil

    shutil.copytree(render.TEMPLATES, tmp_path / "templates")
    template = tmp_path / "templates" / "prometheus.yml.j2"
    template.write_text(template.read_text() + "\n  - job_name: mine\n    static_configs:\n"
                        "      - targets: ['192.168.56.16:9256']\n        labels: {node: node6}\n")
    monkeypatch.setattr(render, "TEMPLATES", tmp_path / "templates")
    lab = inventory.parse(copy.deepcopy(lab_yaml), env={})
    assert [(t.job, t.node, t.address) for t in prometheus.hand_targets(lab)] == [("mine", "node6", "192.168.56.16:9256")]
