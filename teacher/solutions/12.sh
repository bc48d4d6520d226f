#!/bin/sh
# Exercise 12: diagnose from what Prometheus shows, repair, write the cause (teacher/solutions/diagnose.py).
exec python3 teacher/solutions/diagnose.py "$@"
