#!/bin/sh
# expect: names a node
exec env PYTHONPATH=. python3 teacher/solutions/replica.py --names-node
