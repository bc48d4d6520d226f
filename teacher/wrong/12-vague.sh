#!/bin/sh
# expect: does not name the cause yet
exec python3 teacher/solutions/diagnose.py --vague
