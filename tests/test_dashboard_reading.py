"""Exercise 11 reads a dashboard as Grafana draws it (exercises/grafana_view.py): template variables resolved as
Grafana resolves them, Grafana's own variables, the datasource each query goes to; then the file's shortcuts refused."""

import json

import pytest

from exercises import ex11_dashboard, grafana_view

DS = {"type": "prometheus", "uid": "promlab-prometheus"}
NODES = ["node2", "node3", "node4"]


def ask(query):
    """The lab's answers to a query variable: label_values(..., node) lists the exporter nodes."""
    return NODES if "node" in query else []


def sent(board):
    return grafana_view.queries(board, ask, "promlab-prometheus", 15)


def one(expr, variables=(), time=None, panel=None, datasource=DS):
    p = dict({"type": "timeseries", "title": "p", "targets": [{"expr": expr, "datasource": datasource}]}, **(panel or {}))
    board = {"uid": "w", "panels": [p], "templating": {"list": list(variables)}}
    if time:
        board["time"] = {"from": time, "to": "now"}
    (query,) = sent(board)
    return query


QUERY_NODE = {"name": "node", "type": "query", "query": "label_values(node_uname_info, node)"}


@pytest.mark.parametrize(("expr", "variables", "time", "wanted"), [
    # Grafana's own: $__interval over the range's 1,000 points, never under the scrape interval; $__rate_interval
    # max($__interval + scrape, 4 × scrape); $__range the dashboard's.
    ("rate(x[$__rate_interval])", [], "now-6h", "rate(x[1m])"),
    ("rate(x[$__rate_interval])", [], "now-7d", "rate(x[615s])"),  # 10m of interval + 15 s
    ("rate(x[$__interval])", [], "now-1h", "rate(x[15s])"),
    ("rate(x[${__interval}])", [], "now-24h", "rate(x[1m])"),
    ("increase(x[$__range])", [], "now-1h", "increase(x[3600s])"),
    ("x / $__range_s", [], "now-30m", "x / 1800"),
    # a query variable: its current value when Grafana can still offer it, else the first option
    ('node_load1{node="$node"}', [QUERY_NODE], None, 'node_load1{node="node2"}'),
    ('node_load1{node="$node"}', [dict(QUERY_NODE, current={"value": "node3"})], None, 'node_load1{node="node3"}'),
    ('node_load1{node="$node"}', [dict(QUERY_NODE, current={"value": "node9"})], None, 'node_load1{node="node2"}'),
    ('node_load1{node="[[node]]"}', [dict(QUERY_NODE, current={"value": "node4"})], None, 'node_load1{node="node4"}'),
    # multi-value and All: a regular expression (a|b), or the allValue as written
    ('node_load1{node=~"$node"}', [dict(QUERY_NODE, multi=True, current={"value": ["node2", "node3"]})], None,
     'node_load1{node=~"(node2|node3)"}'),
    ('node_load1{node=~"$node"}', [dict(QUERY_NODE, includeAll=True, current={"value": ["$__all"]})], None,
     'node_load1{node=~"(node2|node3|node4)"}'),
    ('node_load1{node=~"$node"}', [dict(QUERY_NODE, includeAll=True, allValue=".*", current={"value": "$__all"})], None,
     'node_load1{node=~".*"}'),
    ('node_load1{node=~"${node:pipe}"}', [dict(QUERY_NODE, multi=True, current={"value": ["node2", "node4"]})], None,
     'node_load1{node=~"node2|node4"}'),
    ('node_load1{node=~"${node:regex}"}', [{"name": "node", "type": "custom", "query": "a.b,c"}], None,
     'node_load1{node=~"a\\.b"}'),
    # an interval variable with options and no current: its first option
    ("rate(x[$w])", [{"name": "w", "type": "interval", "query": "5m,10m,1h"}], None, "rate(x[5m])"),
    ("rate(x[$w])", [{"name": "w", "type": "interval", "query": "5m,10m,1h", "current": {"value": "1h"}}], None, "rate(x[1h])"),
    # custom "text : value" pairs, constants, a regex that keeps a capture group
    ('up{job="$j"}', [{"name": "j", "type": "custom", "query": "Nodes : node,Self : prometheus"}], None, 'up{job="node"}'),
    ("x > $limit", [{"name": "limit", "type": "constant", "query": "0.9"}], None, "x > 0.9"),
    ('up{node="$n"}', [dict(QUERY_NODE, name="n", regex="/node([34])/")], None, 'up{node="3"}'),
    # a variable the dashboard does not define stays as written (Prometheus then refuses the query, saying why)
    ('up{node="$nope"}', [], None, 'up{node="$nope"}'),
])
def test_a_query_is_sent_as_grafana_resolves_it(expr, variables, time, wanted):
    assert one(expr, variables, time).expr == wanted


def test_a_panel_min_interval_and_max_data_points_shape_the_interval():
    assert one("rate(x[$__interval])", time="now-1h", panel={"interval": "1m"}).expr == "rate(x[1m])"
    assert one("rate(x[$__interval])", time="now-1h", panel={"maxDataPoints": 60}).expr == "rate(x[1m])"


@pytest.mark.parametrize(("datasource", "source"), [
    (None, "lab"), ({"type": "prometheus"}, "lab"), ({"type": "prometheus", "uid": "promlab-prometheus"}, "lab"),
    ("Prometheus", "lab"), ({"uid": "${ds}"}, "lab"), ({"type": "prometheus", "uid": "elsewhere"}, "other"),
    ({"type": "loki"}, "other"), ({"uid": "${DS_PROMETHEUS}"}, "export"), ("${DS_PROMETHEUS}", "export"),
])
def test_each_query_goes_to_the_datasource_grafana_would_use(datasource, source):
    variables = [{"name": "ds", "type": "datasource", "query": "prometheus"}]
    assert one("up", variables, datasource=datasource).source == source


def test_panels_inside_rows_and_collapsed_rows_are_read():
    inner = {"type": "timeseries", "title": "in", "targets": [{"expr": "node_load1"}]}
    board = {"uid": "w", "panels": [{"type": "row", "collapsed": True, "panels": [inner]}, {"type": "row", "panels": []}]}
    assert [q.panel for q in sent(board)] == ["in"]


def board(**extra):
    panel = {"type": "timeseries", "title": "Load", "datasource": DS, "targets": [{"expr": "node_load1", "datasource": DS}]}
    return dict({"uid": "workshop", "panels": [panel]}, **extra)


def problems(b):
    return [p.en for p in ex11_dashboard._file_problems(b, json.dumps(b), sent(b))]


def test_a_dashboard_with_rows_and_a_datasource_variable_is_accepted():
    inner = {"type": "timeseries", "datasource": {"uid": "${ds}"}, "targets": [{"expr": 'node_load1{node=~"$node"}'}]}
    b = {"uid": "mine", "panels": [{"type": "row", "collapsed": True, "panels": [inner]}],
         "templating": {"list": [{"name": "ds", "type": "datasource"}, dict(QUERY_NODE, multi=True)]}}
    assert problems(b) == []


@pytest.mark.parametrize(("b", "says"), [
    (board(uid="promlab-nodes"), "already nodes.json's"),
    (board(uid=None), "no fixed uid"),
    (json.loads(json.dumps(board()).replace("promlab-prometheus", "${DS_PROMETHEUS}")), "${DS_"),
    (json.loads(json.dumps(board()).replace("promlab-prometheus", "elsewhere")), "points at another datasource"),
    (json.loads(json.dumps(board()).replace("node_load1", "up")), "no panel shows the load"),
])
def test_a_dashboard_shortcut_is_refused_saying_why(b, says):
    assert any(says in p for p in problems(b))


@pytest.mark.parametrize(("expr", "shows"), [
    ("node_load1", True), ('max by (node) (node_load5{node=~"node2"})', True), ('{__name__="node_load15"}', True),
    ("up  # node_load1", False), ('count(up{job="node_load1"})', False), ("node_loadavg", False),
])
def test_a_load_panel_is_read_from_the_query_not_its_words(expr, shows):
    assert ex11_dashboard.shows_load(expr) is shows


class _Lab:
    """A lab whose Prometheus answers each query with one series of its own (the same query, the same answer), and
    nothing for `quiet` ones; the data sets answer the quiet ones."""

    def __init__(self, quiet=()):
        from tests import pristine

        self.lab = pristine.lab("lab.yaml")
        self.quiet = quiet

    def api(self, path, **params):
        return NODES if path == "label/node/values" else []

    def query(self, expr):
        if any(q in expr for q in self.quiet):
            return []
        return [{"metric": {"q": expr}, "value": [0, "1"]}]

    def on_datasets(self, what, expr, at):
        from provision.datasets import DATASETS

        firing = "ALERTS" in expr and at == DATASETS["targets-some-down"].end
        return [{"metric": {}, "value": [at, "1"]}] if firing else []


def _shipped(name):
    return json.loads((ex11_dashboard.BOARDS / name).read_text())


@pytest.mark.parametrize("name", ["nodes.json", "prometheus.json"])
def test_a_shipped_dashboard_retitled_is_a_copy(name):
    board = dict(_shipped(name), uid="mine", title="Mine")
    lab = _Lab()
    mine = ex11_dashboard._panels_by_meaning(lab, ex11_dashboard._sent(lab, board))
    assert ex11_dashboard._copy_of(lab, mine) == name


def test_one_panel_like_a_shipped_one_is_the_students_own():
    load = next(p for p in _shipped("nodes.json")["panels"] if p.get("title") == "Load")
    board = {"uid": "mine", "panels": [load], "templating": _shipped("nodes.json")["templating"]}
    lab = _Lab()
    assert ex11_dashboard._copy_of(lab, ex11_dashboard._panels_by_meaning(lab, ex11_dashboard._sent(lab, board))) is None


def test_a_panel_of_what_is_firing_may_be_empty_on_a_healthy_lab():
    from exercises.grafana_view import Query

    lab = _Lab(quiet=("ALERTS",))
    found = ex11_dashboard._empty_here(lab, Query("firing", 'ALERTS{alertstate="firing"}', "", "lab"))
    assert found is not None and found.name == "targets-some-down"
    assert ex11_dashboard._empty_here(lab, Query("x", "nothing_at_all", "", "lab")) is None
