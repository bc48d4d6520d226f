"""Add a scrape job to the 'Your own targets' section of templates/prometheus.yml.j2, as a student would by hand.

    python3 teacher/add_job.py JOB ADDRESS NODE
"""

import sys

TEMPLATE = "templates/prometheus.yml.j2"
END = "  # --- End of your own targets"

job, address, node = sys.argv[1:4]
text = open(TEMPLATE).read()
assert END in text, f"{TEMPLATE} has no '{END.strip()}' line"
entry = f"""  - job_name: {job}
    static_configs:
      - targets: ["{address}"]
        labels:
          node: {node}
"""
open(TEMPLATE, "w").write(text.replace(END, entry + END))
