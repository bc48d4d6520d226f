"""The OpenTelemetry data sets: an OpenTelemetry service's requests (promlab-demo) as a Prometheus 3 keeps them from
OTLP with UTF-8 names (otlp.translation_strategy NoUTF8EscapingWithSuffixes): the durations as native histograms
`http.server.request.duration_seconds` by `http.route`, `http.request.method` and `http.response.status_code`, job the
service's name, instance its instance id, and the resource attributes in `target_info`. Two instances of the service
run different versions; requests were slow in the first half hour and fast in the second, each route its own way, so
that a quantile without rate(), of another route or per instance gives another number.

Standard library only (provision/datasets.py builds them in the guests).
"""

from provision.remote_write import Histogram, bucket_index

METRIC = "http.server.request.duration_seconds"
INFO = "target_info"
SERVICE = "promlab-demo"  # service.name: the job
SCHEMA = 3  # buckets growing by 2^(1/8): about 9 % each
ROUTE, METHOD, STATUS = "http.route", "http.request.method", "http.response.status_code"
# Requests of one 15 s step, in the fast half hour: {(route, method, status): ((duration in s, how many), ...)}.
FAST = {
    "a": {("/", "GET", "200"): ((0.004, 20), (0.009, 8), (0.021, 2)),
          ("/api/orders", "GET", "200"): ((0.031, 6), (0.062, 6), (0.118, 4), (0.26, 3), (0.61, 1)),
          ("/api/orders", "GET", "500"): ((0.047, 1),),
          ("/api/checkout", "POST", "201"): ((0.21, 2), (0.43, 3), (0.87, 2), (1.9, 1)),
          ("/api/checkout", "POST", "503"): ((2.6, 1),)},
    "b": {("/", "GET", "200"): ((0.003, 12), (0.006, 10), (0.014, 3)),
          ("/api/orders", "GET", "200"): ((0.052, 3), (0.11, 5), (0.23, 6), (0.47, 4), (1.2, 2)),
          ("/api/orders", "GET", "500"): ((0.081, 2),),
          ("/api/checkout", "POST", "201"): ((0.13, 4), (0.24, 3), (0.52, 1)),
          ("/api/checkout", "POST", "503"): ((1.4, 2),)},
}
SLOWER = {"a": 4.0, "b": 0.5}  # the first half hour's durations, times the fast ones (in b it was faster before)
# The instances: (service.version, how much slower, how many times the requests) per data set; b swaps the versions.
INSTANCES = {"a": (("1.4.2", 1.0, 1), ("1.5.0", 1.6, 2)), "b": (("1.5.0", 1.0, 3), ("1.4.2", 0.7, 1))}
BEFORE = 100  # the counters hold this many steps of requests at the hour's start


def instances(lab):
    """The service's two instances: the lab's first two node_exporter nodes (an instance is named after its node, as a
    service's service.instance.id often is); a lab with one such node (or none: Prometheus' node) has it twice, the
    second as <node>-2."""
    nodes = [n.name for n in lab.nodes_with("node_exporter")][:2] or [lab.prometheus_node.name]
    return nodes if len(nodes) == 2 else [nodes[0], f"{nodes[0]}-2"]


def _histogram(requests, steps, factor, busier):
    """The cumulative native histogram after `steps` steps of `requests` (each `busier` times) with durations times
    `factor`."""
    buckets, count, total = {}, 0, 0.0
    for duration, many in requests:
        value, many = duration * factor, many * busier
        index = bucket_index(value, SCHEMA)
        buckets[index] = buckets.get(index, 0) + many * steps
        count += many * steps
        total += value * many * steps
    return buckets, count, total


def series(which, lab, steps_count):
    """The data set `which`'s series over `steps_count` steps: [(name, labels, [value at each step])]."""
    half = steps_count // 2
    found = []
    for (version, slower, busier), instance in zip(INSTANCES[which], instances(lab)):
        base = {"job": SERVICE, "instance": instance}
        found.append((INFO, {**base, "service.version": version, "deployment.environment.name": "workshop",
                             "host.name": instance, "telemetry.sdk.language": "python"}, [1.0] * steps_count))
        for (route, method, status), requests in FAST[which].items():
            values = []
            for step in range(steps_count):
                slow_steps = BEFORE + min(step, half)
                fast_steps = max(0, step - half)
                slow = _histogram(requests, slow_steps, slower * SLOWER[which], busier)
                fast = _histogram(requests, fast_steps, slower, busier)
                buckets = dict(slow[0])
                for index, many in fast[0].items():
                    buckets[index] = buckets.get(index, 0) + many
                values.append(Histogram(slow[1] + fast[1], round(slow[2] + fast[2], 9), SCHEMA,
                                        tuple(sorted((i, c) for i, c in buckets.items() if c))))
            found.append((METRIC, {**base, ROUTE: route, METHOD: method, STATUS: status}, values))
    return found


