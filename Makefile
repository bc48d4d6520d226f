# promlab: `make up` brings the lab up, `make test` proves it. `make help` lists the rest.
# Provider: Vagrant's own VAGRANT_DEFAULT_PROVIDER (virtualbox, libvirt or docker).

PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
PROVIDER := $(VAGRANT_DEFAULT_PROVIDER)
RENDERED := build/rendered

TARGETS := help doctor venv check render up box image prometheus-ui provision status exercise reset-exercise prove-exercises offline pins test test-fast test-fast-others test-deadlines labtest drill screenshots classroom classroom-down join leave down clean bench lint
.PHONY: $(TARGETS)

# `make exercise 3`, `make exercise 3 hint`, `make exercise 12 start`, `make reset-exercise 3`: the number is
# the second word (or N=3), the action the third (or DO=hint).
# N and DO reach the program as data (through the environment), never through the shell: `make exercise N='3;x'`
# is exercise "3;x", which does not exist.
ifneq ($(filter exercise reset-exercise,$(firstword $(MAKECMDGOALS))),)
  # Only N= and DO= given on make's own command line win over the words: a parent make exports both (empty).
  ifneq ($(origin N),command line)
    N := $(word 2,$(MAKECMDGOALS))
  endif
  ifneq ($(origin DO),command line)
    DO := $(word 3,$(MAKECMDGOALS))
  endif
  # The words after the goal are data, never makefile text: an unknown one is made by .DEFAULT (nothing), one that
  # names a target of ours (`make exercise 3 test`) gets an empty recipe, from that fixed list of names alone.
  .DEFAULT: ; @:
  $(foreach word,$(filter $(TARGETS),$(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))),$(eval $(word):;@:))
endif
# Taken as written, never expanded by make either (N='$(shell ...)' is text, not a command).
override N := $(value N)
override DO := $(value DO)
export N DO

# `make join CLASSROOM=...` (it asks for the credential; or CREDENTIAL_FILE=, CLASSROOM_CA=): given to the program as
# data, through the environment, never the shell. CREDENTIAL= too, for the program to refuse it (a command line is seen
# by every user of the computer).
override CLASSROOM := $(value CLASSROOM)
override CREDENTIAL := $(value CREDENTIAL)
override CREDENTIAL_FILE := $(value CREDENTIAL_FILE)
override CLASSROOM_CA := $(value CLASSROOM_CA)
export CLASSROOM CREDENTIAL CREDENTIAL_FILE CLASSROOM_CA

# What the build makes under build/ (a file of yours there, another inventory say, stays).
BUILT := build/rendered build/up.log build/up-steps.json build/up-times.json build/drill-timings.json \
         build/exercise-check-seconds.json build/lab-config-change.yaml build/classroom-up.log

# The student's commands say what went wrong in their own sentences; a failure still exits non-zero, but without make's
# "make: *** [Makefile:N: exercise] Error 1" under those sentences, which reads like a crash. On a failure the recipe
# signals make with SIGQUIT, on which GNU make exits 1 and prints nothing (a parent make, as under make test, still
# reports it), and lives on a moment so that make's handler, not its main loop, collects it (else make says "wait: No
# child processes"). Where make cannot be signalled, its usual line stays.
QUIETLY = || { kill -QUIT $$PPID 2>/dev/null && sleep 0.5 && exit 0; exit 1; }

help:
	@echo "make doctor     can this computer run the lab? (Python, Vagrant, provider, memory, ports, disk: run it days before)"
	@echo "make up         boot and provision every node of lab.yaml, wait until all targets are up"
	@echo "make test       brings the lab up, then the labtests, the fast tests of deadlines beside their first part, the others beside their drills"
	@echo "make check      validate lab.yaml, render, promtool check config, vagrant validate (MERGED=1: show an overlay merged)"
	@echo "make render     write every file the provisioning would install under $(RENDERED)/<node>/"
	@echo "make provision  provision the running lab again (a second run changes nothing)"
	@echo "make status     nodes, services, Prometheus targets and the URLs to open"
	@echo "make exercise N check workshop exercise N (1-13) on your lab: what is done, what is missing"
	@echo "                (LAB_LANG=fr|en; make exercise lists them; make exercise N hint: the next hint;"
	@echo "                make exercise 12 start: breaks the lab for the troubleshooting exercise;"
	@echo "                make reset-exercise N undoes exercise N's own changes, keeping a copy in .promlab/backup)"
	@echo "make prove-exercises  prove every exercise check on the lab: not done, wrong attempts refused, solutions"
	@echo "                pass (changes lab.yaml, templates/, answers/ for a while; refuses if they hold your changes)"
	@echo "make drill      only the fault drills: break the lab on purpose, watch it notice, repair it"
	@echo "                (the drills of different nodes side by side; DRILLS=0 make test: everything but the drills)"
	@echo "make offline    fill .cache/ for a classroom without internet (release archives, box or docker image)"
	@echo "make prometheus-ui  build the web UI Debian's Prometheus 3 leaves out, from Debian's source (npm; make up does"
	@echo "                it when lab.yaml's Prometheus needs it; kept in .cache/ for a classroom without internet)"
	@echo "make box        (libvirt) build a Debian 13 box here from Debian's packages, no Vagrant Cloud needed"
	@echo "                (BOX_PACKAGES=1: with the lab's packages installed, for slow hosts; needs root)"
	@echo "make pins       verify lab.yaml's release sha256 pins against the upstream checksum files (internet)"
	@echo "                (python3 -m scripts.pins --update prometheus <version>: that version and its hashes)"
	@echo "make screenshots  the guide's pictures, from the running lab in a real browser (Chromium), into docs/img/"
	@echo "make classroom  (teacher) bring up the classroom view, print each student's join line (roster.txt)"
	@echo "make join CLASSROOM=<url>  (student) report your progress to the classroom (it asks for your credential)"
	@echo "make leave      (student) stop reporting; make classroom-down (teacher) removes the classroom"
	@echo "make down       destroy the lab"
	@echo "make bench      measure time to green, a no-op provision and the labtests (docs/performance.md)"

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools' notice about editable installs (the repository holds folders named like its packages, by
	@# design) is silenced, nothing else.
	PYTHONWARNINGS='ignore:Editable installation' $(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

check: venv
	$(PY) -m host.vagrant $(if $(MERGED),--merged)
	@$(MAKE) --no-print-directory render
	promtool check config $(RENDERED)/*/etc/prometheus/prometheus.yml
	vagrant validate

render: venv
	@rm -rf $(RENDERED)
	@$(PY) -m host.rendering $(RENDERED) >/dev/null
	@echo "rendered into $(RENDERED)/: $$(find $(RENDERED) -type f | wc -l) files"

# BOX_PACKAGES=1: the lab's Debian packages in the box (given to the program as data, never expanded by make).
override BOX_PACKAGES := $(value BOX_PACKAGES)
export BOX_PACKAGES

# A libvirt box of Debian 13 built here from Debian's packages (host/box.py; needs root): for a host without Vagrant
# Cloud, an offline classroom. `make up` builds it by itself when lab.yaml names a promlab/ box Vagrant lacks.
box: venv
	@$(PY) -m host.box --force

# With the docker provider, build the node image once before the machines build it in
# parallel (their builds are then cache hits). The second tag keeps `vagrant destroy`
# from deleting the image, so the next `make up` does not rebuild it.
image:
ifeq ($(PROVIDER),libvirt)
	@$(PY) -m host.box --when-missing
endif
ifeq ($(PROVIDER),docker)
	@$(PY) -m host.lxcfs
endif
ifeq ($(PROVIDER)$(LAB_DOCKER_IMAGE),docker)
	@$(PY) -m scripts.docker_leftovers
	@$(PY) -m scripts.docker_image
endif

up: venv image
	@$(PY) -m host.prometheus_ui --when-needed
	@$(PY) -m scripts.up
	@$(PY) -m labclient.green
	@$(PY) -m labclient.status || true

# Debian's Prometheus 3 has no web UI: built here from Debian's source (host/prometheus_ui.py), kept in .cache/.
prometheus-ui: venv
	@$(PY) -m host.prometheus_ui

# Before `make venv`: it checks what the venv and the lab need (system Python only).
doctor:
	@$(PYTHON) -m scripts.doctor $(QUIETLY)

status: venv
	@$(PY) -m labclient.status $(QUIETLY)

exercise: venv
	@$(PY) -m exercises "$$N" "$$DO" $(QUIETLY)

reset-exercise: venv
	@$(PY) -m exercises reset "$$N" $(QUIETLY)

prove-exercises: venv
	$(PY) -m pytest labtests -m exercise --prove-exercises $(PYTEST_ARGS)

# CHECK=1: say what provisioning would change on each node (a file: a short diff), change nothing.
provision: venv
ifeq ($(CHECK),1)
	$(PY) -m labclient.check
else
	vagrant provision
endif

# The lab up (green), then the labtests: the fast tests of deadlines beside their first part (it asks the lab one thing
# after another), the other fast tests beside their drills (they need no lab, and the drills mostly wait on
# Prometheus): scripts/labtest.py --with-fast-tests.
test: venv
	@$(MAKE) --no-print-directory up
	$(PY) -m scripts.labtest --with-fast-tests $(PYTEST_ARGS)

# The fast tests: FAST_WORKERS processes side by side (pytest-xdist; FAST_WORKERS=0: one process, in order), then, with
# nothing else beside them, those judging a service's real-time deadlines under attack (pytest mark deadlines): a busy
# machine would slow the service they judge, not the service's code. Four of those at a time keep their deadlines (they
# mostly wait on a slow client's clock).
FAST_WORKERS ?= 4
WORKERS = $(if $(filter-out 0,$(FAST_WORKERS)),-n $(FAST_WORKERS))
test-fast: test-fast-others test-deadlines

test-fast-others: venv
	$(PY) -m pytest $(WORKERS) -m "not deadlines" tests

test-deadlines: venv
	$(PY) -m pytest $(WORKERS) -m deadlines tests

# In three parts (scripts/labtest.py): what leaves the lab as it is, the drills that need it whole, then the drills of
# different nodes side by side.
labtest: venv
	$(PY) -m scripts.labtest $(PYTEST_ARGS)

drill: venv
	$(PY) -m scripts.labtest --drills $(PYTEST_ARGS)

screenshots: venv
	$(PY) -m scripts.screenshots

classroom: venv image
	@$(PY) -m labclient.classroom_teacher up

classroom-down:
	@$(PY) -m labclient.classroom_teacher down

join: venv
	@$(PY) -m labclient.classroom_student join $(QUIETLY)

leave: venv
	@$(PY) -m labclient.classroom_student leave $(QUIETLY)

down:
	vagrant destroy --force

clean: down
	rm -rf $(BUILT) build/lab-[0-9]*.yaml
	@rmdir build 2>/dev/null || true

offline: venv
	$(PY) -m scripts.offline

# Needs internet: each release pin of lab.yaml against its project's checksum file (scripts/pins.py).
pins: venv
	$(PY) -m scripts.pins

bench: venv image
	$(PY) -m scripts.benchmark

lint: venv
	$(PY) -m ruff check .
