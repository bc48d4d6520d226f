#!/bin/sh
# Exercise 12: repaired, the right node and cause, and a query that names the node instead of showing the symptom.
exec python3 teacher/solutions/diagnose.py --names-node
