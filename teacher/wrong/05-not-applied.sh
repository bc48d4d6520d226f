#!/bin/sh
# expect: Prometheus still runs with 15s
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: 10s/' lab.yaml
