#!/bin/sh
# Exercise 8, written another way: two groups and ${2}, flow style, the drop on names matched with go_.+ .
set -e
python3 teacher/add_to_job.py 192.168.56.16:9256 <<'YAML'
    relabel_configs: [{source_labels: [__address__], regex: '([^:]+):([0-9]+)', target_label: port, replacement: '${2}'}]
    metric_relabel_configs: [{source_labels: [__name__], regex: go_.+, action: drop}]
YAML
vagrant provision node1
