"""`make test` passes with every kind of student work in place: the fast tests that read lab.yaml and the templates
run in a clone of the repository's last commit where a student's answers, own jobs and rules in the templates, own
dashboard, and notes, a changed value and an added node in lab.yaml are planted (the labtests' side is
labtests/test_exercises.py::test_students_work_survives_make_test_and_every_reset)."""

import shutil
import subprocess
import sys

import pytest

from provision import inventory

REPO = inventory.REPO
# The fast tests that read lab.yaml, render the templates or read the dashboards.
READERS = ["tests/test_render.py", "tests/test_prometheus_role.py", "tests/test_alert_rules.py", "tests/test_grafana_files.py",
           "tests/test_model.py", "tests/test_examples.py", "tests/test_ha_layout.py", "tests/test_check_mode.py",
           "tests/test_resets.py", "tests/test_schema.py", "tests/test_alertmanager_cluster.py"]
JOB = '''  - job_name: mine   # my exporter
    static_configs:
      - {targets: ['192.168.56.16:9256'], labels: {node: node6}}
'''
GROUP = '''
  - name: mine
    rules:
      - record: mine:up:count
        expr: count(up)
'''


def plant(clone):
    (clone / "answers").mkdir()
    (clone / "answers" / "1.promql").write_text("count by (job) (up == 1)  # mine\n")
    (clone / "answers" / "notes.txt").write_text("my notes\n")
    template = clone / "templates" / "prometheus.yml.j2"
    end = "  # --- End of your own targets"
    template.write_text(template.read_text().replace(end, JOB + end))
    rules = clone / "templates" / "alert_rules.yml.j2"
    rules.write_text(rules.read_text() + GROUP)
    (clone / "templates" / "dashboards" / "mine.json").write_text('{"uid": "mine", "title": "Mine", "panels": []}\n')
    lab = clone / "lab.yaml"
    text = lab.read_text().replace("  scrape_interval: 15s", "  scrape_interval: 10s   # exercise 5")
    lab.write_text("# my notes for the workshop\n" + text + "  - {name: node7, roles: [node_exporter]}\n")


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="not a git checkout: no commit to clone")
def test_the_fast_tests_pass_with_a_students_work_in_place(tmp_path):
    clone = tmp_path / "promlab"
    subprocess.run(["git", "clone", "--quiet", "--local", str(REPO), str(clone)], check=True)
    plant(clone)
    changed = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True).stdout
    assert "lab.yaml" in changed and "prometheus.yml.j2" in changed and "answers/" in changed
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *READERS], cwd=clone,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
