"""How a docker container runs systemd as PID 1 (portable to cgroup v2 hosts and Docker Desktop): the docker
provider's machines (the Vagrantfile, through `host.vagrant --json`) and the floor of `make bench --floor`
(scripts/floor.py) start theirs with these options. NET_ADMIN lets a node change its own routes, as a VM can
(the fault drills use it)."""

SYSTEMD = ["--cap-add=SYS_ADMIN", "--cap-add=NET_ADMIN", "--tmpfs=/run", "--tmpfs=/run/lock",
           "--security-opt=seccomp=unconfined", "--cgroupns=host", "--volume=/sys/fs/cgroup:/sys/fs/cgroup:rw"]
