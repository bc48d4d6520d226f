#!/bin/sh
# expect: nodes are missing
mkdir -p answers && echo 'node_memory_MemTotal_bytes{node="node3"} - node_memory_MemAvailable_bytes{node="node3"}' > answers/2.promql
