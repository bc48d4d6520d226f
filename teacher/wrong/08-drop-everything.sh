#!/bin/sh
# Exercise 8: the drop matches every name.
set -e
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
anchor = '''      - targets: ["192.168.56.16:9256"]
        labels:
          node: node6
'''
relabel = '''    relabel_configs:
      - source_labels: [__address__]
        regex: '.*:(\\d+)'
        target_label: port
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: '.*'
        action: drop
'''
text = open(path).read()
open(path, "w").write(text.replace(anchor, anchor + relabel))
JOB
vagrant provision node1
