#!/bin/sh
# Exercise 3: busy CPU share per node, and bytes received per second per node (lo left out).
mkdir -p answers
echo '1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[1m]))' > answers/3-cpu.promql
echo 'sum by (node) (rate(node_network_receive_bytes_total{device!="lo"}[1m]))' > answers/3-network.promql
