#!/bin/sh
# Exercise 8: the port label set by relabel_configs, but to a fixed value (it would say 9256 on any target).
set -e
python3 teacher/add_to_job.py 192.168.56.16:9256 <<'YAML'
    relabel_configs:
      - target_label: port
        replacement: '9256'
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'go_.*'
        action: drop
YAML
vagrant provision node1
