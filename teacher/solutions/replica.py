"""Exercise 13 done as a student would: find the replica that does not answer, write its name and a
query that finds any dead replica, bring it back. Options (for the wrong attempts): --not-restarted, --wrong-node.
The query's own wrong ways are in teacher/cases.yaml (judged on the exercises' data sets)."""

import subprocess
import sys
from pathlib import Path

import requests

from labclient.prom import replicas
from provision.waiting import until

QUERIES = {"plain": 'up{job="prometheus"} == 0', "count": 'count by (node) (up{job="prometheus"} < 1)'}


def main(args):
    def not_answering():
        down = []
        for name, prom in replicas().items():
            try:
                prom.get("/-/ready").raise_for_status()
            except requests.RequestException:
                down.append(name)
        return down

    dead = until(not_answering, bool, 60, "a replica not answering")[0]
    other = next(name for name in replicas() if name != dead)
    answers = Path("answers")
    answers.mkdir(exist_ok=True)
    (answers / "13.txt").write_text(f"Prometheus on {other if '--wrong-node' in args else dead} stopped.\n")
    query = QUERIES["count" if "--count" in args else "plain"]
    (answers / "13.promql").write_text(query + "\n")
    if "--not-restarted" not in args:
        subprocess.run(["vagrant", "ssh", dead, "-c", "sudo systemctl start prometheus"], check=True, capture_output=True)


if __name__ == "__main__":
    main(sys.argv[1:])
