#!/bin/sh
# Make a node busy for a while: load.sh NODE SECONDS [LOOPS]. The loops end by themselves (timeout).
vagrant ssh "$1" -c "for i in \$(seq ${3:-3}); do nohup timeout $2 sh -c 'while :; do :; done' >/dev/null 2>&1 & done"
