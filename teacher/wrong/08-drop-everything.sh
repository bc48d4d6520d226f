#!/bin/sh
# Exercise 8: the drop matches every name.
set -e
python3 teacher/add_to_job.py 192.168.56.16:9256 <<'YAML'
    relabel_configs:
      - source_labels: [__address__]
        regex: '.*:(\d+)'
        target_label: port
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: '.*'
        action: drop
YAML
vagrant provision node1
