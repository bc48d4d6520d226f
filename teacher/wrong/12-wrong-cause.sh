#!/bin/sh
# Exercise 12: repaired, the right node, and another cause than the one that was made.
exec python3 teacher/solutions/diagnose.py --wrong-cause
