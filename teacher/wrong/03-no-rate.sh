#!/bin/sh
# expect: is a counter
mkdir -p answers
echo 'avg by (node) (node_cpu_seconds_total{mode!="idle"})' > answers/3-cpu.promql
echo 'sum by (node) (rate(node_network_receive_bytes_total[1m]))' > answers/3-network.promql
