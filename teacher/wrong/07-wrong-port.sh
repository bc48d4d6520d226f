#!/bin/sh
# Exercise 7: the exporter installed, its target written with a wrong port.
set -e
vagrant ssh node6 -c 'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus-process-exporter >/dev/null'
python3 teacher/add_job.py process 192.168.56.16:9265 node6
vagrant provision node1
