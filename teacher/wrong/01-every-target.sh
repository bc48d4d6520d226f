#!/bin/sh
# expect: several series for job
mkdir -p answers && echo 'up' > answers/1.promql
