"""A dashboard as Grafana draws it, without a Grafana server: which datasource each query goes to, and the query text
Grafana sends once it has resolved the dashboard's template variables and its own ($__interval, $__rate_interval,
$__range…).

What Grafana does, as this module reads it (its documentation on variables and the Prometheus datasource):
- a variable's value is its `current` one when it has one Grafana can still offer (a query variable's current value
  among the values its query finds), else its first option; `All` is the variable's allValue, or every option;
- query variables (label_values(), label_values(metric, label), query_result()) ask the datasource; custom ones list
  their options ("a,b", "text : value"); interval ones too, `auto` computed from the range; constant and textbox give
  their query;
- a value goes into a Prometheus query as it is for a single-value variable, escaped for a regular expression and
  joined as (a|b) for a multi-value or All one; formats (${var:regex}, :pipe, :csv, :raw, :json, :glob, :text, …)
  say otherwise;
- $__interval is the range over the panel's data points (maxDataPoints, else its width: here a nominal 1,000
  points), rounded as Grafana rounds it, never under the panel's min interval or the datasource's scrape interval;
  $__rate_interval is max($__interval + scrape interval, 4 × scrape interval); $__range the dashboard's range.
- a panel or query that names no datasource, or only the type "prometheus", uses the default one (the lab's); a
  datasource variable resolves to a datasource of its type.
"""

import json
import math
import re
from dataclasses import dataclass, field

# ${var}, ${var:format}, ${var.field}, $var, [[var]], [[var:format]]
VARIABLE = re.compile(r"\$\{(\w+)(?:\.[\w.]+)?(?::(\w+))?\}|\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]")
POINTS = 1000  # a panel's data points when it sets no maxDataPoints: about its width in pixels
# Grafana's rounding of a computed interval: below each bound, the interval it rounds to (seconds)
ROUNDING = ((0.015, 0.01), (0.035, 0.02), (0.075, 0.05), (0.15, 0.1), (0.35, 0.2), (0.75, 0.5), (1.5, 1), (3.5, 2),
            (7.5, 5), (12.5, 10), (17.5, 15), (25, 20), (45, 30), (90, 60), (210, 120), (450, 300), (750, 600),
            (1050, 900), (1500, 1200), (2700, 1800), (5400, 3600), (9000, 7200), (16200, 10800), (32400, 21600),
            (86400, 43200), (604800, 86400), (1814400, 604800), (3628800, 2592000))
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
REGEX_SPECIAL = re.compile(r"[$^*{}\[\]+?.()|\\]")


def seconds(text):
    """'1m30s', '15s', '500ms', '2h' -> seconds; None when it is not a duration."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)", str(text).strip())
    if not parts or "".join(n + u for n, u in parts) != str(text).strip():
        return None
    return sum(float(n) * UNITS[u] for n, u in parts)


def duration(value):
    """Seconds as Grafana writes an interval: 15s, 1m, 2h, 1d, 500ms."""
    if value < 1:
        return f"{round(value * 1000)}ms"
    for unit in ("y", "w", "d", "h", "m"):
        if value >= UNITS[unit] and value % UNITS[unit] == 0:
            return f"{int(value // UNITS[unit])}{unit}"
    return f"{value:g}s"


def rounded(interval):
    for bound, to in ROUNDING:
        if interval < bound:
            return to
    return 31536000


def time_range(board):
    """The dashboard's range in seconds (its time.from, now-6h when it says none)."""
    start = str((board.get("time") or {}).get("from", "now-6h"))
    found = re.fullmatch(r"now-(\d+)([smhdwMy])", start)
    if not found:
        return 6 * 3600
    number, unit = int(found.group(1)), found.group(2)
    return number * ({"M": 2592000}.get(unit) or UNITS[unit])


@dataclass
class Variable:
    name: str
    values: list  # the chosen values (one, or several for multi / All)
    multi: bool  # formatted as a regular expression by default (multi-value or include All)
    text: list = field(default_factory=list)


def _options_of(variable, ask):
    """(values, texts) a variable offers: `ask(query)` -> values for query variables (the datasource)."""
    kind = variable.get("type", "query")
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query", "")
    query = "" if query is None else str(query)
    if kind == "query":
        values = ask(query) if query else []
        regex = variable.get("regex") or ""
        if regex:
            values = _filtered(values, regex)
        if variable.get("sort") in (1, 2, 3, 4, 5, 6, 7, 8):
            numeric = variable["sort"] in (3, 4)
            values = sorted(values, key=lambda v: (_number(v) if numeric else v.lower()),
                            reverse=variable["sort"] in (2, 4, 6, 8))
        return values, values
    if kind in ("custom", "interval"):
        found = [o.get("value") for o in variable.get("options") or [] if o.get("value") not in (None, "$__all")]
        pairs = [p.strip() for p in re.split(r"(?<!\\),", query) if p.strip()] if query else []
        if pairs:
            texts = [p.split(" : ", 1)[0] if " : " in p else p for p in pairs]
            values = [p.split(" : ", 1)[1] if " : " in p else p for p in pairs]
            return [v.replace("\\,", ",") for v in values], texts
        return found, found
    if kind in ("constant", "textbox"):
        return [query], [query]
    if kind == "datasource":
        return ["$__default"], ["default"]
    return [], []


def _number(text):
    try:
        return float(re.search(r"-?\d+(\.\d+)?", text).group())
    except (AttributeError, ValueError):
        return math.inf


def _filtered(values, regex):
    """A variable's regex (/pattern/flags): the values it matches, or the capture group's text."""
    found = re.fullmatch(r"/(.*)/(\w*)", regex, re.S)
    pattern, flags = (found.group(1), found.group(2)) if found else (regex, "")
    try:
        compiled = re.compile(pattern, re.I if "i" in flags else 0)
    except re.error:
        return values
    kept = []
    for value in values:
        match = compiled.search(value)
        if match:
            kept.append(match.group("value") if "value" in compiled.groupindex else (match.group(1) if compiled.groups else value))
    return list(dict.fromkeys(kept))


def resolve(board, ask, interval_auto=None):
    """{name: Variable} of the dashboard, in order (a query variable may use the ones before it)."""
    found = {}
    for variable in (board.get("templating") or {}).get("list") or []:
        if not isinstance(variable, dict) or not variable.get("name") or variable.get("type") == "adhoc":
            continue
        query = variable.get("query")
        if isinstance(query, str) and variable.get("type", "query") == "query":
            variable = dict(variable, query=interpolate(query, found, {}))
        values, texts = _options_of(variable, ask)
        if variable.get("type") == "interval" and variable.get("auto") and interval_auto:
            values, texts = ["$__auto_interval"] + values, ["auto"] + texts
        current = (variable.get("current") or {}).get("value")
        chosen = current if isinstance(current, list) else ([current] if current not in (None, "") else [])
        all_chosen = chosen in (["$__all"], ["All"]) and variable.get("includeAll")
        if all_chosen:
            chosen = [variable["allValue"]] if variable.get("allValue") else values
        elif not chosen or (variable.get("type", "query") == "query" and not set(chosen) <= set(values)):
            chosen = values[:1]  # no current value Grafana can still offer: the first option
        chosen = [interval_auto if v == "$__auto_interval" else v for v in chosen]
        multi = bool(variable.get("multi") or variable.get("includeAll"))
        raw_all = all_chosen and bool(variable.get("allValue"))
        found[variable["name"]] = Variable(variable["name"], chosen, multi and not raw_all, texts)
    return found


def _format(variable, form):
    values = variable.values
    if form in (None, "") and not variable.multi:
        return values[0] if values else ""
    if form in (None, "", "regex"):
        escaped = [REGEX_SPECIAL.sub(lambda m: "\\" + m.group(), v) for v in values]
        return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"
    return {
        "raw": lambda: ",".join(values), "pipe": lambda: "|".join(values), "csv": lambda: ",".join(values),
        "distributed": lambda: ",".join(values), "json": lambda: json.dumps(values if len(values) != 1 else values[0]),
        "glob": lambda: values[0] if len(values) == 1 else "{" + ",".join(values) + "}",
        "text": lambda: " + ".join(variable.text[:1] if variable.text else values),
        "doublequote": lambda: ",".join(f'"{v}"' for v in values), "singlequote": lambda: ",".join(f"'{v}'" for v in values),
        "sqlstring": lambda: ",".join("'" + v.replace("'", "''") + "'" for v in values),
        "lucene": lambda: values[0] if len(values) == 1 else "(" + " OR ".join(f'"{v}"' for v in values) + ")",
        "percentencode": lambda: ",".join(values), "queryparam": lambda: "&".join(f"var-{variable.name}={v}" for v in values),
    }.get(form, lambda: ",".join(values))()


def builtins(board, panel, scrape_interval):
    """Grafana's own variables for one panel: {name: text}."""
    span = time_range(board)
    points = panel.get("maxDataPoints") or POINTS
    floor = seconds(panel.get("interval") or "") or scrape_interval
    interval = max(rounded(span / points), floor)
    rate = max(interval + scrape_interval, 4 * scrape_interval)
    return {"__interval": duration(interval), "__interval_ms": str(int(interval * 1000)), "__rate_interval": duration(rate),
            "__rate_interval_ms": str(int(rate * 1000)), "__range": f"{span}s", "__range_s": str(span),
            "__range_ms": str(span * 1000), "__auto_interval": duration(interval)}


def interpolate(expr, variables, own):
    """The query text with Grafana's variables and the dashboard's replaced; an unknown variable left as written."""
    def value_of(match):
        name = match.group(1) or match.group(3) or match.group(4)
        form = match.group(2) or match.group(5)
        if name in own:
            return own[name]
        if name in variables:
            return _format(variables[name], form)
        return match.group(0)
    return VARIABLE.sub(value_of, expr)


def panels(board):
    """Every panel, those inside rows and collapsed rows included."""
    for panel in board.get("panels") or []:
        if isinstance(panel, dict):
            yield panel
            yield from panels(panel)


def datasource(ref, variables, lab_uid):
    """'lab' when a query goes to the lab's Prometheus (its uid, its name, the default, the type only, a datasource
    variable of type prometheus, or -- Mixed -- leaving it to the query), 'export' for ${DS_…}, else 'other'."""
    if ref is None or ref == "" or ref == "default":
        return "lab"
    if isinstance(ref, str):
        if ref.startswith("${DS_"):
            return "export"
        name = VARIABLE.fullmatch(ref)
        if name and (name.group(1) or name.group(3) or name.group(4)) in variables:
            return "lab"
        return "lab" if ref in (lab_uid, "Prometheus", "-- Mixed --", "-- Grafana --") else "other"
    if not isinstance(ref, dict):
        return "other"
    uid = ref.get("uid")
    if uid in (None, "", "default"):
        return "lab" if ref.get("type") in (None, "prometheus", "datasource") else "other"
    if isinstance(uid, str) and uid.startswith("${DS_"):
        return "export"
    name = VARIABLE.fullmatch(uid) if isinstance(uid, str) else None
    if name and (name.group(1) or name.group(3) or name.group(4)) in variables:
        return "lab"
    return "lab" if uid in (lab_uid, "-- Mixed --") else "other"


@dataclass(frozen=True)
class Query:
    panel: str  # the panel's title
    expr: str  # as Grafana sends it
    written: str  # as the dashboard writes it
    source: str  # lab, export or other


def queries(board, ask, lab_uid, scrape_interval):
    """[Query] of every panel (rows included), as Grafana would send them."""
    auto = builtins(board, {}, scrape_interval)["__auto_interval"]
    variables = resolve(board, ask, interval_auto=auto)
    found = []
    for panel in panels(board):
        if panel.get("type") == "row":
            continue
        own = builtins(board, panel, scrape_interval)
        for target in panel.get("targets") or []:
            if not isinstance(target, dict) or not target.get("expr") or target.get("hide"):
                continue
            ref = target.get("datasource") if target.get("datasource") not in (None, "") else panel.get("datasource")
            if isinstance(ref, dict) and ref.get("uid") == "-- Mixed --":
                ref = None
            found.append(Query(str(panel.get("title", "")), interpolate(str(target["expr"]), variables, own),
                               str(target["expr"]), datasource(ref, variables, lab_uid)))
    return found


def label_values(data, query):
    """ask(query) for query variables, answered by the lab's Prometheus (`data(path, **params)` its API, `query(expr)`
    an instant query): label_values(label), label_values(metric, label), query_result(expr) (each result's text),
    metrics(regex)."""
    def ask(text):
        text = text.strip()
        found = re.fullmatch(r"label_values\((?:(.+?),\s*)?(\w+)\s*\)", text, re.S)
        if found:
            params = {"match[]": found.group(1)} if found.group(1) else {}
            return sorted(data(f"label/{found.group(2)}/values", **params))
        found = re.fullmatch(r"query_result\((.+)\)", text, re.S)
        if found:
            return [_series_text(s) for s in query(found.group(1))]
        found = re.fullmatch(r"metrics\((.*)\)", text, re.S)
        if found:
            return [n for n in data("label/__name__/values") if re.search(found.group(1), n)]
        return []
    return ask


def _series_text(series):
    labels = dict(series["metric"])
    name = labels.pop("__name__", "")
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {series['value'][1]} {int(float(series['value'][0]) * 1000)}"
