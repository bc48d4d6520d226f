#!/bin/sh
# Exercise 2, another right way: as a percentage of the node's memory.
mkdir -p answers
echo '100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)' > answers/2.promql
