#!/bin/sh
# Exercise 10: the alert made to fire and reach the receiver, then silenced by node: the silence also hides every
# other alert of node3 (InstanceDown among them).
set -e
sed '$d' teacher/solutions/10.sh > .promlab/10-without-silence.sh
sh .promlab/10-without-silence.sh
rm -f .promlab/10-without-silence.sh
vagrant ssh node1 -c "amtool silence add 'node=\"node3\"' --comment=workshop --duration=1h --alertmanager.url=http://192.168.56.11:9093"
