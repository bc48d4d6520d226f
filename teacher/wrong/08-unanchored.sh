#!/bin/sh
# Exercise 8: the port derived right, the drop's regex written as a prefix (Prometheus anchors it: nothing matches).
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
        regex: 'go_'
        action: drop
'''
text = open(path).read()
open(path, "w").write(text.replace(anchor, anchor + relabel))
JOB
vagrant provision node1
