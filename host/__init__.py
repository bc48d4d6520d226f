"""The host's side of setting a lab up: what Vagrant is handed (host/vagrant.py), the docker provider's containers
(their options, lxcfs, the sign-in key), the dashboards generated into templates/. It runs on the host only; the
guests run provision/."""
