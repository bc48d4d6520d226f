#!/bin/sh
# Exercise 5, written another way: single quotes.
set -e
perl -pi -e "s/^  scrape_interval: .*/  scrape_interval: '10s'/" "${LAB_FILE:-lab.yaml}"
vagrant provision node1
