#!/bin/sh
# Exercise 10: the rule written and loaded again after the exercise's reset (as the solution does), nothing loaded
# since: it has not fired in this attempt, whatever fired before the reset.
set -e
sed '/load\.sh/,$d' teacher/solutions/10.sh > .promlab/10-rule-only.sh
sh .promlab/10-rule-only.sh
rm -f .promlab/10-rule-only.sh
