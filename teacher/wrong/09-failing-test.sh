#!/bin/sh
# Exercise 9: a test that expects the available share: promtool says it fails.
set -e
sh teacher/solutions/09.sh
perl -pi -e 's/value: 0.75/value: 0.25/' answers/9.test.yml
