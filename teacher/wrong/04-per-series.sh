#!/bin/sh
# expect: one is wanted for all requests
mkdir -p answers && echo 'histogram_quantile(0.9, rate(prometheus_http_request_duration_seconds_bucket[5m]))' > answers/4.promql
