#!/bin/sh
# Exercise 8: the port derived right, the drop's regex written as a prefix (Prometheus anchors it: nothing matches).
set -e
python3 teacher/add_to_job.py 192.168.56.16:9256 <<'YAML'
    relabel_configs:
      - source_labels: [__address__]
        regex: '.*:(\d+)'
        target_label: port
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'go_'
        action: drop
YAML
vagrant provision node1
