#!/bin/sh
# expect: the quantile 0.9
mkdir -p answers && echo 'histogram_quantile(0.5, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5m])))' > answers/4.promql
