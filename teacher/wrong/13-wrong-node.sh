#!/bin/sh
# expect: does not name the stopped replica
exec env PYTHONPATH=. python3 teacher/solutions/replica.py --wrong-node
