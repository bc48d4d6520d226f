#!/bin/sh
# expect: not the memory in use
mkdir -p answers && echo 'node_memory_MemAvailable_bytes / 1024 / 1024' > answers/2.promql
