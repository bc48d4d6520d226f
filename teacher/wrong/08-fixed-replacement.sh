#!/bin/sh
# Exercise 8: the port label set by relabel_configs, but to a fixed value (it would say 9256 on any target).
set -e
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
anchor = '''      - targets: ["192.168.56.16:9256"]
        labels:
          node: node6
'''
relabel = '''    relabel_configs:
      - target_label: port
        replacement: '9256'
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'go_.*'
        action: drop
'''
text = open(path).read()
open(path, "w").write(text.replace(anchor, anchor + relabel))
JOB
vagrant provision node1
