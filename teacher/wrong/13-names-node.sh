#!/bin/sh
# expect: names a node
exec python3 teacher/solutions/replica.py --names-node
