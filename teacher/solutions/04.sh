#!/bin/sh
# Exercise 4: the 90th percentile of Prometheus' own request durations, all handlers together.
mkdir -p answers
echo 'histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5m])))' > answers/4.promql
