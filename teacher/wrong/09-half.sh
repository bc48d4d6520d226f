#!/bin/sh
# Exercise 9: a test on a node half full: used and available are both 0.5, so a rule that gives the available share
# passes it too.
set -e
sh teacher/solutions/09.sh
perl -pi -e "s/values: '250\+0x20'/values: '500+0x20'/; s/value: 0.75/value: 0.5/" answers/9.test.yml
