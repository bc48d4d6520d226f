#!/bin/sh
# A second node_exporter started by hand on node6, on a port of its own (9101), its target written in the template:
# up and its own job, but the same kind of metrics the lab already has. It stops by itself after ten minutes.
set -e
vagrant ssh node6 -c 'sudo systemctl stop promlab-proof-copy 2>/dev/null; sudo systemctl reset-failed promlab-proof-copy 2>/dev/null; sudo systemd-run --collect --unit=promlab-proof-copy --property=RuntimeMaxSec=600 --property=DynamicUser=yes prometheus-node-exporter --web.listen-address=:9101 >/dev/null'
python3 teacher/add_job.py copy 192.168.56.16:9101 node6
vagrant provision node1
