#!/bin/sh
# Exercise 2: memory in use per node, in MiB (the tour's unit).
mkdir -p answers
echo '(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / 1024 / 1024' > answers/2.promql
