#!/bin/sh
# expect: without a job label
mkdir -p answers && echo 'count(up)' > answers/1.promql
