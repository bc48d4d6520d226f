"""Prepare a classroom without internet: fill .cache/ once, on a machine that has it.

    python3 -m scripts.offline [--arch amd64,arm64] [--provider docker|virtualbox|libvirt] [--skip-archives]

1. Every release archive lab.yaml pins, for each architecture asked (default: both, for
   Intel and Apple Silicon students), downloaded into .cache/artifacts and verified
   against its sha256 (a mismatch is reported and nothing is kept). When lab.yaml's Prometheus is a Debian package
   without its web UI, that UI built (host/prometheus_ui.py) into .cache/artifacts too.
2. The provider's base: docker — the node image with every Debian package the lab
   installs already in its APT cache, saved to .cache/images/promlab-node-offline.tar.gz;
   virtualbox or libvirt — the Vagrant box, repackaged to .cache/boxes/<box>-<provider>.box.
3. What to hand the students, and the commands they run, printed at the end
   (docs/en/teacher.md and docs/fr/teacher.md say the same).

Exit 1 when something could not be fetched; what was fetched stays in the cache.
"""

import argparse
import os
import shutil
import subprocess
import sys

from host import prometheus_ui
from host.box import debian_packages, versions
from provision import install, inventory, web_ui
from provision.steps import StepError
from scripts.docker_image import build_command

REPO = inventory.REPO

CACHE = REPO / ".cache"
IMAGE = "promlab-node:offline"


def archives(lab, arches, cache=CACHE / "artifacts"):
    """Fetch and verify every pinned archive; return the problems (an empty list when all are there)."""
    problems = []
    for name, component in lab.components.items():
        for arch in arches:
            digest = component["release"]["sha256"].get(arch)
            if not digest:
                print(f"  -       {name} {arch}: no pinned sha256, nodes install Debian's {component['apt']['package']}")
                continue
            url = install.archive_url(component["release"], component["version"], arch)
            try:
                path, downloaded = install.fetch(url, digest, cache)
                print(f"  {'fetched' if downloaded else 'cached '} {name} {arch}: {path.name} (sha256 verified)")
            except StepError as e:
                problems.append(str(e))
                print(f"  FAILED  {name} {arch}: {e}")
    return problems


def docker_image(lab):
    out = CACHE / "images" / "promlab-node-offline.tar.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    packages = " ".join(debian_packages(lab))
    print(f"  building {IMAGE} with {packages} in its APT cache")
    subprocess.run(build_command(lab.boxes["docker"], lab.boxes["docker_debian"], tags=(IMAGE,), preload=packages),
                   check=True, stdout=subprocess.DEVNULL)
    with open(out, "wb") as f:
        save = subprocess.Popen(["docker", "save", IMAGE], stdout=subprocess.PIPE)
        subprocess.run(["gzip", "-1"], stdin=save.stdout, stdout=f, check=True)
        if save.wait() != 0:  # a failed save must not leave a truncated archive that looks saved
            out.unlink()
            raise subprocess.CalledProcessError(save.returncode, ["docker", "save", IMAGE])
    print(f"  saved   {out.relative_to(REPO)} ({out.stat().st_size / 2**20:.0f} MiB)")
    return [f"docker load -i {out.relative_to(REPO)}",
            f"LAB_DOCKER_IMAGE={IMAGE} VAGRANT_DEFAULT_PROVIDER=docker make up"]


def box_file(box, provider):
    """Where make offline saves a provider's box (the teacher notes name it)."""
    return CACHE / "boxes" / f"{box.replace('/', '-')}-{provider}.box"


def vagrant_box(lab, provider):
    box = lab.boxes[provider]
    if not versions(box, provider):
        subprocess.run(["vagrant", "box", "add", box, "--provider", provider], check=True)
    version = versions(box, provider)[-1]
    out = box_file(box, provider)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["vagrant", "box", "repackage", box, provider, version], cwd=out.parent, check=True)
    shutil.move(str(out.parent / "package.box"), out)
    print(f"  saved   {out.relative_to(REPO)}")
    return [f"vagrant box add --name {box} {out.relative_to(REPO)}", "make up"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="amd64,arm64")
    parser.add_argument("--provider", default=None, help="default: $VAGRANT_DEFAULT_PROVIDER, else virtualbox")
    parser.add_argument("--skip-archives", action="store_true")
    args = parser.parse_args(argv)
    provider = args.provider or os.environ.get("VAGRANT_DEFAULT_PROVIDER") or "virtualbox"
    lab = inventory.load()
    problems = []
    if not args.skip_archives:
        print("Release archives (.cache/artifacts):")
        problems += archives(lab, args.arch.split(","))
    source = web_ui.source(lab)
    if source:
        print(f"Prometheus {source.version}'s web UI (Debian's package has none; .cache/artifacts):")
        try:
            prometheus_ui.build(source)
        except prometheus_ui.Failed as e:
            problems.append(f"Prometheus {source.version}'s web UI: {e}")
            print(f"  FAILED  {e}")
    print(f"Base for the {provider} provider:")
    try:
        steps = docker_image(lab) if provider == "docker" else vagrant_box(lab, provider)
    except (subprocess.CalledProcessError, IndexError) as e:
        problems.append(f"{provider} base: {e}")
        steps = []
    print("\nHand the students this repository with its .cache/ folder (a USB stick, a share). They run:")
    for step in steps:
        print(f"  {step}")
    if problems:
        print(f"\n{len(problems)} problem(s): the cache is incomplete; run again where the internet is reachable.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
