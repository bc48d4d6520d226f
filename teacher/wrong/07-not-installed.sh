#!/bin/sh
# expect: does the exporter run on node6
set -e
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
job = """  - job_name: process
    static_configs:
      - targets: ["192.168.56.16:9256"]
        labels:
          node: node6
"""
end = "  # --- End of your own targets"
text = open(path).read()
open(path, "w").write(text.replace(end, job + end))
JOB
vagrant provision node1
