"""Add lines (read from standard input) to the job of templates/prometheus.yml.j2's own section that scrapes ADDRESS,
right after its static_configs, as a student would by hand (exercise 8's relabelling).

    python3 teacher/add_to_job.py ADDRESS <<'YAML'
        relabel_configs: ...
    YAML
"""

import sys

TEMPLATE = "templates/prometheus.yml.j2"

address = sys.argv[1]
added = sys.stdin.read()
text = open(TEMPLATE).read()
anchor = f'''      - targets: ["{address}"]
        labels:
          node: '''
at = text.find(anchor)
assert at >= 0, f"exercise 7's job (targets: [\"{address}\"] with its node label) is not in {TEMPLATE}"
end = text.index("\n", at + len(anchor)) + 1
open(TEMPLATE, "w").write(text[:end] + added + text[end:])
