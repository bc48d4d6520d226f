#!/bin/sh
# Exercise 5, written another way: ten seconds in milliseconds, quoted, with a comment of the student's.
set -e
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: "10000ms"   # ten seconds, for the workshop/' "${LAB_FILE:-lab.yaml}"
vagrant provision node1
