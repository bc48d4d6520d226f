#!/bin/sh
# expect: is already scraped by the lab
set -e
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
job = """  - job_name: more
    static_configs:
      - targets: ["192.168.56.16:9100"]
        labels:
          node: node6
"""
end = "  # --- End of your own targets"
text = open(path).read()
open(path, "w").write(text.replace(end, job + end))
JOB
vagrant provision node1
