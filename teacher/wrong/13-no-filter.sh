#!/bin/sh
# expect: returns something while every replica was running
exec env PYTHONPATH=. python3 teacher/solutions/replica.py --no-filter
