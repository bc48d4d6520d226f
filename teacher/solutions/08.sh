#!/bin/sh
# Exercise 8 (after 7): the port label derived from __address__, the go_* series dropped after the scrape.
set -e
python3 teacher/add_to_job.py 192.168.56.16:9256 <<'YAML'
    relabel_configs:
      - source_labels: [__address__]
        regex: '.*:(\d+)'
        target_label: port
        replacement: '$1'
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'go_.*'
        action: drop
YAML
vagrant provision node1
