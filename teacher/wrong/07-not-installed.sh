#!/bin/sh
# The target written, the exporter never installed.
set -e
python3 teacher/add_job.py process 192.168.56.16:9256 node6
vagrant provision node1
