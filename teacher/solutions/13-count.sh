#!/bin/sh
# Exercise 13, another right query: count by (node) (up{job="prometheus"} < 1).
exec env PYTHONPATH=. python3 teacher/solutions/replica.py --count
