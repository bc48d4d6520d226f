#!/bin/sh
exec env PYTHONPATH=. python3 teacher/solutions/replica.py --not-restarted
