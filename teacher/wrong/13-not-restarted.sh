#!/bin/sh
# expect: a replica is still down
exec python3 teacher/solutions/replica.py --not-restarted
