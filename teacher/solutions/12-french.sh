#!/bin/sh
# Exercise 12, the diagnosis written in French.
exec python3 teacher/solutions/diagnose.py --french
