#!/bin/sh
# expect: a replica is still down
exec env PYTHONPATH=. python3 teacher/solutions/replica.py --not-restarted
