#!/bin/sh
# expect: not the memory in use
mkdir -p answers && echo 'node_memory_MemTotal_bytes' > answers/2.promql
