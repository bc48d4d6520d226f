#!/bin/sh
# Exercise 1: node3's memory in use, as a share of its memory.
mkdir -p answers
echo '1 - node_memory_MemAvailable_bytes{node="node3"} / node_memory_MemTotal_bytes{node="node3"}' > answers/1.promql
