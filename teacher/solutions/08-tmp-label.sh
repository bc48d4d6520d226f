#!/bin/sh
# Exercise 8, another way: the port into a temporary label first, then copied to port; the drop with a group.
set -e
python3 teacher/add_to_job.py 192.168.56.16:9256 <<'YAML'
    relabel_configs:
      - source_labels: [__address__]
        regex: '.+:(.+)'
        target_label: __tmp_port
      - source_labels: [__tmp_port]
        target_label: port
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: '(go_.*)'
        action: drop
YAML
vagrant provision node1
