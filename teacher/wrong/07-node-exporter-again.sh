#!/bin/sh
# A second job on node6's node_exporter: a target written by hand, but of an exporter the lab already has.
set -e
python3 teacher/add_job.py more 192.168.56.16:9100 node6
vagrant provision node1
