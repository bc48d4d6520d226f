"""The tour, walked in a real browser (labclient/browser.py: Debian's Chromium, headless): the pages it names exist on
the Prometheus the lab installed and show what it promises. Every target listed with its node and UP; each of the
tour's queries (docs/tour.yaml, the table the guide shows) typed in the query page, executed, its table read: a
result for every node; during a drill, the alert on Alertmanager's page. Grafana's dashboards where Grafana runs.

Debian's Prometheus 3 has no web UI of its own: the lab builds it from Debian's source (`make prometheus-ui`) and the
walk runs on it; without it, the tour must say so, and its page says the UI is not packaged. Upstream's release
archives embed the same UI.
"""

import re

import pytest

from labclient import browser, faults, http
from labclient.alerting import alertmanager_url, auth
from labclient.faults import strike
from labclient.ui import NOT_PACKAGED, pages, uis
from labtests.drill import wait_target
from labtests.lab import LAB, hand_targets, lane, probes, scraped_nodes
from provision.paths import REPO
from provision.waiting import until

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bool(browser.missing()), reason=f"no browser here: {browser.missing()}")]
TOUR = uis()
QUERIES = __import__("yaml").safe_load((REPO / "docs" / "tour.yaml").read_text())["queries"]
ALERTED = strike(3)  # the drill's node: node5 in lab.yaml


@pytest.fixture(scope="module")
def chromium():
    with browser.opened() as driver:
        yield driver


@pytest.fixture(scope="module")
def ui(prometheus):
    return pages(prometheus)


def _walkable(ui):
    if ui.kind == "none":
        pytest.skip(f"Prometheus {ui.version} has no web UI (Debian's package): the tour says so, and the next test "
                    "checks its page does")


def _labels(text):
    return dict(re.findall(r'(\w+)="([^"]*)"', text))


def test_a_debian_prometheus_3_serves_the_ui_the_lab_built(ui):
    from provision import web_ui

    if web_ui.source(LAB) is None:
        pytest.skip(f"this lab's Prometheus {ui.version} comes with its own web UI")
    assert ui.kind == "react", (f"Prometheus {ui.version} serves no web UI ({ui.kind}): `make up` should have built it "
                                "from Debian's source and the provisioning installed it (make prometheus-ui, then make "
                                "provision)")


def test_a_prometheus_without_web_ui_says_so_and_the_tour_too(ui, chromium, prometheus):
    if ui.kind != "none":
        pytest.skip(f"Prometheus {ui.version} has its web UI ({ui.kind})")
    chromium.get(prometheus.url + TOUR["react"]["query"])
    assert NOT_PACKAGED in chromium.page_source, "Debian's page does not say the UI is not packaged"
    assert "the UI is not\npackaged" in (REPO / "docs" / "en" / "tour.md").read_text()


@pytest.mark.parametrize("page", ["query", "targets", "alerts"])
def test_each_page_the_tour_names_opens_on_this_prometheus(ui, chromium, prometheus, page):
    _walkable(ui)
    path = getattr(ui, page)
    chromium.get(prometheus.url + path)
    title = chromium.title
    assert "404" not in chromium.page_source[:400] and "page not found" not in chromium.page_source[:400].lower(), \
        f"{path}, the tour's {page} page, does not exist on Prometheus {ui.version}"
    assert "Prometheus" in title, f"{path}: {title!r}"


def test_target_health_lists_every_target_up_with_its_node(ui, chromium, prometheus, fresh_targets):
    _walkable(ui)
    chromium.get(prometheus.url + TOUR[ui.kind]["targets"])
    expected = {(job, node) for job, node in scraped_nodes()} | {(job, node) for job, node, _ in probes() + hand_targets()}

    def every_target(rows):
        seen = {(_labels(r).get("job"), _labels(r).get("node")) for r in rows if " UP " in f" {r} ".replace("\n", " ")}
        return expected <= seen

    rows = browser.text_when(chromium, "table tbody tr", every_target, 60, "every target UP on the targets page")
    down = [r.splitlines()[0] for r in rows if "DOWN" in r]
    assert not down, f"targets DOWN on the page: {down}"


def test_the_menu_the_tour_names_leads_to_target_health(ui, chromium, prometheus):
    _walkable(ui)
    menu, item = TOUR[ui.kind]["targets_menu"].split(" → ")
    chromium.get(prometheus.url + ui.query)
    browser.click_text(chromium, menu)
    browser.click_text(chromium, item)
    until(lambda: chromium.current_url, lambda url: url.split("?")[0].endswith(ui.targets), 10,
             f"menu {menu} → {item} opening {ui.targets}")


@pytest.mark.parametrize("step", QUERIES, ids=[q["query"] for q in QUERIES])
def test_each_tour_query_gives_what_the_tour_says(ui, chromium, prometheus, fresh_targets, step):
    _walkable(ui)
    browser.execute(chromium, prometheus.url, ui.query, step["query"], TOUR[ui.kind]["result_tab"])
    rows = [r for r in browser.rows(chromium, step["query"]) if r.strip() and not r.startswith("Element")]
    found = [r for r in rows if "no data" not in r.lower()]
    nodes = {_labels(r).get("node") for r in found}
    if step["covers"] == "nothing":
        assert not found, f"{step['query']}: {found[:5]}"
    elif step["covers"] == "nodes":
        assert nodes == {n.name for n in LAB.nodes_with("node_exporter")}, f"{step['query']}: nodes {sorted(nodes - {None})}"
    elif step["covers"] == "targets":
        # A row for every target; and as many rows as Prometheus' API gives for the query (a series whose target went
        # away minutes ago stays for the lookback, on the page as in the API: a student's reload can leave one).
        shown = {(_labels(r).get("job"), _labels(r).get("instance")) for r in found}
        wanted = {(t["labels"]["job"], t["labels"]["instance"]) for t in fresh_targets}
        assert wanted <= shown, f"{step['query']}: targets without a row: {sorted(wanted - shown)[:5]}"
        answered = prometheus.query(step["query"])
        assert len(found) == len(answered), f"{step['query']}: {len(found)} rows, {len(answered)} series from the API"
    else:
        assert found, f"{step['query']}: no result"


def _firing_on_prometheus_page(chromium, url, node, kind):
    """InstanceDown firing for `node` on the alerts page: its rule drawn as firing and, opened, one of its alerts names
    the node and is firing. The page is loaded afresh each time: another lane's drill may have fired the same rule for
    another node first, so a firing rule alone proves nothing about this one."""
    def alerts_of_the_firing_rule():
        chromium.get(url)
        return browser.firing_rule_opened(chromium, kind, "InstanceDown")

    def names_the_node_firing(lines):
        return isinstance(lines, list) and any(f'node="{node}"' in a and "firing" in a.lower() for a in lines)

    until(alerts_of_the_firing_rule, names_the_node_firing, 120, f"InstanceDown firing for {node}, its labels shown on {url}",
             interval=2)


AM_NOT_PACKAGED = "does not include a web"  # Debian's Alertmanager package: its page says it has no web application


def _alertmanager_has_a_page(chromium, url):
    chromium.get(url)
    return AM_NOT_PACKAGED not in chromium.page_source


@pytest.mark.drill
@pytest.mark.skipif(ALERTED is None or not LAB.nodes_with("alertmanager"), reason="lab.yaml has no exporter node or no "
                    "Alertmanager")
@pytest.mark.parametrize("_", [pytest.param(None, marks=lane(ALERTED), id="instance-down")])
def test_an_alert_shows_on_the_pages_the_tour_names_during_a_drill(ui, chromium, hosts, prometheus, _):
    """node_exporter stopped on a node: InstanceDown firing on Prometheus' Alerts page, and on Alertmanager's own page
    (signed in) where its package has one; then the node is put back."""
    url = alertmanager_url()
    browser.sign_in(chromium, *auth())
    alertmanager_page = _alertmanager_has_a_page(chromium, url)
    if ui.kind == "none" and not alertmanager_page:
        pytest.skip(f"neither Prometheus {ui.version} nor this Alertmanager has a web page (Debian's packages): the tour "
                    "sends students to amtool and the API")
    fault = faults.stopped(ALERTED)
    host = hosts[fault.where]
    try:
        host.run(fault.breaks)
        wait_target(prometheus, "node", ALERTED.name, "down")
        if ui.kind != "none":
            _firing_on_prometheus_page(chromium, prometheus.url + ui.alerts, ALERTED.name, ui.kind)
        if alertmanager_page:
            chromium.get(f"{url}/#/alerts")
            browser.text_when(chromium, "body", lambda t: t and "InstanceDown" in t[0] and ALERTED.name in t[0], 90,
                              f"InstanceDown for {ALERTED.name} on {url}'s page")
    finally:
        host.run(fault.repairs)
    wait_target(prometheus, "node", ALERTED.name, "up")


def test_grafanas_dashboards_draw_their_panels(chromium):
    if not LAB.nodes_with("grafana"):
        pytest.skip(f"this lab has no Grafana ({', '.join(LAB.skipped_roles) and 'LAB_SKIP_ROLES names it' or 'lab.yaml'}): "
                    "its dashboards are checked against Prometheus by labtests/test_dashboards.py")
    from labclient.grafana import Grafana

    grafana = Grafana()
    browser.sign_in(chromium, *grafana.admin)
    for uid in ("promlab-nodes", "promlab-prometheus", "promlab-services"):
        chromium.get(f"{grafana.url}/d/{uid}")
        until(lambda: chromium.page_source, lambda page: "No data" not in page and "panel" in page, 60,
                 f"dashboard {uid} drawn without 'No data'")


# Every request Grafana's page sends to its datasources, recorded in the page itself (fetch and XMLHttpRequest
# wrapped before Grafana's own scripts run).
RECORD_REQUESTS = """
window.__promlabSent = [];
const keep = (url, body) => { if (String(url).includes('/api/ds/query') && body) window.__promlabSent.push(String(body)); };
const fetched = window.fetch;
window.fetch = function (input, init) { keep(input && input.url || input, init && init.body); return fetched.apply(this, arguments); };
const opened = XMLHttpRequest.prototype.open, sent = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.open = function (method, url) { this.__promlabUrl = url; return opened.apply(this, arguments); };
XMLHttpRequest.prototype.send = function (body) { keep(this.__promlabUrl, body); return sent.apply(this, arguments); };
"""


def _reading_board():
    """A dashboard that needs Grafana's resolving: an interval variable without a current value, a node variable from
    label_values, a collapsed row, a datasource named by type only, $__rate_interval and $__range."""
    window = {"name": "window", "type": "interval", "query": "5m,15m,1h",
              "options": [{"text": w, "value": w, "selected": False} for w in ("5m", "15m", "1h")]}
    node = {"name": "node", "type": "query", "query": "label_values(node_load1, node)", "refresh": 1,
            "datasource": {"type": "prometheus"}}
    panels = [{"id": 2, "type": "timeseries", "title": "smoothed", "datasource": {"type": "prometheus"},
               "gridPos": {"h": 6, "w": 12, "x": 0, "y": 1},
               "targets": [{"refId": "A", "expr": 'avg_over_time(node_load1{node="$node"}[$window])'}]},
              {"id": 3, "type": "timeseries", "title": "rates", "gridPos": {"h": 6, "w": 12, "x": 12, "y": 1},
               "targets": [{"refId": "A", "expr": "sum(rate(node_cpu_seconds_total[$__rate_interval]))"},
                           {"refId": "B", "expr": "max_over_time(up[$__range])"}]}]
    return {"uid": "promlab-test-reading", "title": "promlab test: Grafana's reading", "schemaVersion": 39,
            "time": {"from": "now-3h", "to": "now"}, "templating": {"list": [window, node]},
            "panels": [{"id": 1, "type": "row", "title": "row", "collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
                        "panels": []}] + panels}


def test_grafana_sends_the_queries_exercise_11_reads(chromium, prometheus):
    """The dashboard is loaded into Grafana (the test's own, removed after), drawn in the browser, and the queries
    Grafana sends are those exercise 11's reading of the file says (exercises/grafana_view.py)."""
    if not LAB.nodes_with("grafana"):
        pytest.skip(f"this lab has no Grafana ({', '.join(LAB.skipped_roles) and 'LAB_SKIP_ROLES names it' or 'lab.yaml'}): "
                    "exercise 11's reading of a dashboard is checked against Grafana's own where Grafana runs")
    import json

    from exercises import grafana_view
    from labclient.grafana import Grafana

    grafana, board = Grafana(), _reading_board()
    uid = LAB.components["grafana"]["datasource_uid"]
    expected = sorted(q.expr for q in grafana_view.queries(board, grafana_view.label_values(prometheus.data, prometheus.query),
                                                           uid, LAB.interval))
    made = grafana.post("/api/dashboards/db", {"dashboard": board, "overwrite": False})
    assert made.status_code == 200, made.text
    try:
        browser.sign_in(chromium, *grafana.admin)
        chromium.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_REQUESTS})
        chromium.get(f"{grafana.url}/d/{board['uid']}")

        def sent():
            bodies = chromium.execute_script("return window.__promlabSent || []")
            return sorted({q.get("expr") for b in bodies for q in json.loads(b).get("queries", []) if q.get("expr")})

        until(sent, lambda got: got == expected, 60, f"Grafana sending {expected}")
    finally:
        http.request("DELETE", f"{grafana.url}/api/dashboards/uid/{board['uid']}", auth=grafana.admin, timeout=10)
