#!/bin/sh
exec python3 teacher/solutions/diagnose.py --no-repair
