#!/bin/sh
# Exercise 8, written another way: two groups and ${2}, flow style, the drop on names matched with go_.+ .
set -e
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
anchor = '''      - targets: ["192.168.56.16:9256"]
        labels:
          node: node6
'''
relabel = '''    relabel_configs: [{source_labels: [__address__], regex: '([^:]+):([0-9]+)', target_label: port, replacement: '${2}'}]
    metric_relabel_configs: [{source_labels: [__name__], regex: go_.+, action: drop}]
'''
text = open(path).read()
assert anchor in text, "exercise 7's job is not in the template"
open(path, "w").write(text.replace(anchor, anchor + relabel))
JOB
vagrant provision node1
