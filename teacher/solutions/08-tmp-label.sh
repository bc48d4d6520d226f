#!/bin/sh
# Exercise 8, another way: the port into a temporary label first, then copied to port; the drop with a group.
set -e
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
anchor = '''      - targets: ["192.168.56.16:9256"]
        labels:
          node: node6
'''
relabel = '''    relabel_configs:
      - source_labels: [__address__]
        regex: '.+:(.+)'
        target_label: __tmp_port
      - source_labels: [__tmp_port]
        target_label: port
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: '(go_.*)'
        action: drop
'''
text = open(path).read()
assert anchor in text, "exercise 7's job is not in the template"
open(path, "w").write(text.replace(anchor, anchor + relabel))
JOB
vagrant provision node1
