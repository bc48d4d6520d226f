#!/bin/sh
# Exercise 5: the configuration edited on node1 and reloaded, lab.yaml untouched (the next provisioning undoes it).
set -e
vagrant ssh node1 -c "sudo sed -i 's/^  scrape_interval: .*/  scrape_interval: 10s/' /etc/prometheus/prometheus.yml && sudo systemctl reload prometheus"
