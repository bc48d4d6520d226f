#!/bin/sh
# Exercise 13: the dead replica named, `up{job="prometheus"} == 0`, the replica started (teacher/solutions/replica.py).
exec env PYTHONPATH=. python3 teacher/solutions/replica.py "$@"
