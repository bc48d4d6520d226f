"""Every dashboard query, its variables filled in for each node, returns data from the lab's real Prometheus.

Needs no Grafana server: it reads the dashboards shipped in templates/dashboards/.
"""

import json
import re

import pytest

from host import dashboards
from labtests.lab import LAB, nodes_with, skip_reason
from provision.render import TEMPLATES
from provision.roles import grafana
from provision.waiting import until

# The lab's own dashboards; a student's beside them are theirs (exercise 11 judges the workshop's).
BOARDS = {name: json.loads((TEMPLATES / "dashboards" / name).read_text()) for name in grafana.SHIPPED}
EXPORTER_NODES = [n.name for n in LAB.nodes_with("node_exporter")]
# $__rate_interval is at least four scrape intervals in Grafana.
RATE_INTERVAL = f"{4 * LAB.interval:g}s"


def _cases():
    for board_name, board in BOARDS.items():
        per_node = any(v["name"] == "node" for v in board["templating"]["list"])
        for p in board["panels"]:
            role = dashboards.ROLE_OF.get((board_name, p["title"]))
            why = (skip_reason(role) if nodes_with(role) else f"lab.yaml gives no node the {role} role") if role else ""
            marks = [pytest.mark.skip(reason=why)] if role and not LAB.nodes_with(role) else []
            for t in p["targets"]:
                for node in EXPORTER_NODES if per_node else [None]:
                    label = f"{board_name}-{p['title']}-{t['refId']}" + (f"-{node}" if node else "")
                    yield pytest.param(t["expr"], node, marks=marks, id=label.replace(" ", "_"))


def fill(expr, node):
    expr = expr.replace("$__rate_interval", RATE_INTERVAL).replace("$__interval", LAB.scrape_interval)
    return expr.replace("$node", node) if node else expr


@pytest.mark.parametrize(("expr", "node"), list(_cases()))
def test_panel_query_returns_data(prometheus, fresh_targets, expr, node):
    query = fill(expr, node)
    assert "$" not in query, f"an unfilled variable in {query}"
    # rate() needs two samples in its window: poll for up to two scrape intervals more.
    until(lambda: prometheus.query(query), bool, 45, f"data for {query}")


def test_node_variable_lists_every_exporter_node(prometheus):
    variable = next(v for v in BOARDS["nodes.json"]["templating"]["list"] if v["name"] == "node")
    metric, label = re.fullmatch(r"label_values\((\w+), (\w+)\)", variable["query"]).groups()
    values = prometheus.api(f"label/{label}/values", **{"match[]": metric})
    assert sorted(values) == sorted(EXPORTER_NODES)
