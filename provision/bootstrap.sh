#!/bin/sh
# Run by Vagrant inside each guest, as root: make sure the provisioning's own
# needs (python3 with jinja2 and yaml, from the distribution) are there, then
# provision the node. Usage: bootstrap.sh <node> [--check]
set -eu
node="$1"
missing=""
for pkg in python3 python3-jinja2 python3-yaml; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "$node: installing$missing for the provisioning"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
cd /vagrant
shift
exec python3 -m provision "$@" "$node"
