"""Build the docker provider's node image from lab.yaml's boxes.docker folder (make up, docker provider).

The folder is passed to docker as one argument, never through a shell: whatever lab.yaml holds cannot
become a command. The schema allows only a folder of the repository; this also checks it has a Dockerfile.

    python3 -m scripts.docker_image
"""

import subprocess
import sys

from host import signin
from provision import inventory

TAGS = ("promlab-node:latest", "promlab-node:cache")  # :cache keeps `vagrant destroy` from deleting the image


def build_command(folder, debian="trixie", tags=TAGS, preload=""):
    """The docker build command for the image in `folder` (a folder of the repository), from debian:<debian>,
    tagged `tags`; `preload`: Debian packages to keep in the image's APT cache (make offline)."""
    context = (inventory.REPO / folder).resolve()
    if not context.is_relative_to(inventory.REPO) or not (context / "Dockerfile").is_file():
        raise inventory.InventoryError("lab.yaml", [f"boxes.docker: {folder!r} has no Dockerfile; "
                                                    "allowed: a folder of the repository holding a Dockerfile"])
    return ["docker", "build", "--quiet", "--build-arg", f"DEBIAN={debian}",
            *(["--build-arg", f"PRELOAD={preload}"] if preload else []),
            *(arg for tag in tags for arg in ("--tag", tag)), str(context)]


def signs_in(image):
    """Whether `image` lets Vagrant in with this checkout's key (docker/Dockerfile's label, host/signin.py);
    an image without it would keep Vagrant waiting for SSH until it gives up."""
    proc = subprocess.run(["docker", "image", "inspect", "--format", f'{{{{index .Config.Labels "{signin.IMAGE_LABEL}"}}}}',
                           image], capture_output=True, text=True)
    return proc.returncode == 0 and proc.stdout.strip() == signin.IMAGE_LABEL_VALUE


def not_signing_in(image, source):
    """The sentence refusing an image (named by `source`) that does not let Vagrant in with the checkout's key."""
    return (f"promlab: {source}: the image {image} does not trust this checkout's sign-in key (no label "
            f"{signin.IMAGE_LABEL}={signin.IMAGE_LABEL_VALUE}): its sshd must trust the key mounted at "
            f"{signin.GUEST_KEY} as docker/Dockerfile does; build it from docker/Dockerfile (`make offline` for a "
            f"classroom image)")


def main():
    try:
        boxes = inventory.load().boxes
        command = build_command(boxes["docker"], boxes["docker_debian"])
    except inventory.InventoryError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    # docker's notices (the legacy builder's deprecation) only matter when the build fails.
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    if proc.returncode:
        print(f"promlab: building the node image failed:\n{proc.stderr.strip()}", file=sys.stderr)
        return proc.returncode
    if not signs_in(TAGS[0]):
        print(not_signing_in(TAGS[0], f"boxes.docker ({boxes['docker']})"), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
