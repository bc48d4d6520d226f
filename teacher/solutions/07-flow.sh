#!/bin/sh
# Exercise 7, written another way: the job in flow style, single quotes, another job name.
set -e
vagrant ssh node6 -c 'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus-process-exporter >/dev/null'
python3 - <<'JOB'
path = "templates/prometheus.yml.j2"
end = "  # --- End of your own targets"
text = open(path).read()
job = "  - {job_name: processes, static_configs: [{targets: ['192.168.56.16:9256'], labels: {node: node6}}]}  # by hand\n"
open(path, "w").write(text.replace(end, job + end))
JOB
vagrant provision node1
