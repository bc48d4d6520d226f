#!/bin/sh
# expect: node_network_receive_bytes_total is a counter
mkdir -p answers
echo '1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[1m]))' > answers/3-cpu.promql
echo 'sum by (node) (node_network_receive_bytes_total)' > answers/3-network.promql
