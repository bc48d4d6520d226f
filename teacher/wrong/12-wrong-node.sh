#!/bin/sh
# Exercise 12: repaired, but the diagnosis names another node.
exec python3 teacher/solutions/diagnose.py --wrong-node
