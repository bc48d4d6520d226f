#!/bin/sh
# Exercise 5: lab.yaml changed, the machine never provisioned.
perl -pi -e 's/^  scrape_interval: .*/  scrape_interval: 10s/' "${LAB_FILE:-lab.yaml}"
