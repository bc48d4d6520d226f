#!/bin/sh
# expect: buckets are counters since start-up
mkdir -p answers && echo 'histogram_quantile(0.9, sum by (le) (prometheus_http_request_duration_seconds_bucket))' > answers/4.promql
