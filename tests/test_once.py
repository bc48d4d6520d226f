"""A fixture's value computed once per run, whichever pytest-xdist worker asks first (tests/once.py)."""

import time
from concurrent.futures import ThreadPoolExecutor

from tests.once import once_per_run


class _Factory:
    """Each worker's temporary folder under the run's, as pytest-xdist lays them out."""

    def __init__(self, run, worker):
        self.base = run / worker
        self.base.mkdir(parents=True, exist_ok=True)

    def getbasetemp(self):
        return self.base


def test_workers_asking_at_once_compute_the_value_once_and_read_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.3)  # long enough for the other workers to ask meanwhile
        return {"said": ["refused", len(calls)]}

    with ThreadPoolExecutor(4) as pool:
        values = list(pool.map(lambda w: once_per_run(_Factory(tmp_path, w), "x", compute), ["gw0", "gw1", "gw2", "gw3"]))
    assert len(calls) == 1
    assert values == [{"said": ["refused", 1]}] * 4


def test_without_workers_the_value_stays_in_the_run_s_own_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert once_per_run(_Factory(tmp_path, "run"), "x", lambda: [1]) == [1]
    assert (tmp_path / "run" / "once-x.json").exists() and not (tmp_path / "once-x.json").exists()
