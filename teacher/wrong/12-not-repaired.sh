#!/bin/sh
# expect: the lab is not healthy yet
exec python3 teacher/solutions/diagnose.py --no-repair
