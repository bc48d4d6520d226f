"""What a silence silences, as exercise 10 asks Alertmanager's own matching (exercises/silences.py): the script it
sends to the Alertmanager node, run here through this machine's amtool, judges label sets as Alertmanager does."""

import shutil
import subprocess

import pytest

from exercises import silences

pytestmark = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool is not installed on this machine "
                                "(Debian: apt-get install prometheus-alertmanager): the judge is Alertmanager's own matching")
HIGH = {"alertname": "HighLoad", "node": "node3", "severity": "warning"}
OTHER = {"alertname": "InstanceDown", "node": "node3", "severity": "critical"}


def matcher(name, value, regex=False, equal=True):
    return {"name": name, "value": value, "isRegex": regex, "isEqual": equal}


def judged(matchers, labels):
    """True when a silence of these matchers silences an alert of these labels, as amtool matches."""
    proc = subprocess.run(["bash"], input=silences.script([{"matchers": matchers}], [labels]), capture_output=True,
                          text=True, check=True)
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()] == ["s0"]


@pytest.mark.parametrize(("matchers", "labels", "silenced"), [
    ([matcher("alertname", "HighLoad")], HIGH, True),
    ([matcher("alertname", "HighLoad")], OTHER, False),
    ([matcher("alertname", "High.*", regex=True)], HIGH, True),
    ([matcher("alertname", "High", regex=True)], HIGH, False),  # anchored at both ends
    ([matcher("alertname", "Load", regex=True)], HIGH, False),
    ([matcher("alertname", "Instance.*", regex=True, equal=False)], HIGH, True),
    ([matcher("alertname", "Instance.*", regex=True, equal=False)], OTHER, False),
    ([matcher("node", "node3")], OTHER, True),
    ([matcher("alertname", "HighLoad"), matcher("node", "node4")], HIGH, False),
    ([matcher("alertname", "HighLoad"), matcher("node", "node4", equal=False)], HIGH, True),
    ([matcher("alertname", "HighLoad"), matcher("team", "")], HIGH, True),  # a missing label reads as ""
    ([matcher("alertname", 'High"Load\\')], {**HIGH, "alertname": 'High"Load\\'}, True),  # quoted as the file format wants
    ([matcher("alertname", "High\\.?Load", regex=True)], HIGH, True),
    ([matcher("alertname", "(?i)highload", regex=True)], HIGH, True),  # RE2's flags
], ids=lambda v: repr(v) if not isinstance(v, (dict, list)) else "")
def test_a_silence_silences_what_alertmanager_matches(matchers, labels, silenced):
    assert judged(matchers, labels) is silenced


def test_several_silences_are_told_apart_in_one_run():
    runs = [[matcher("alertname", "HighLoad")], [matcher("node", "node3")], [matcher("alertname", "Nothing")]]
    proc = subprocess.run(["bash"], input=silences.script([{"matchers": m} for m in runs], [HIGH, OTHER]), capture_output=True,
                          text=True, check=True)
    assert [line.strip() for line in proc.stdout.splitlines() if line.strip()] == ["s0,s1", "s1"]
