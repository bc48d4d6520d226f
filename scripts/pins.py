"""Verify lab.yaml's release pins against the upstream checksum files, or move a component to a new version.

Each component's `release.checksums` names the checksum file its project publishes beside the archives
(`sha256sums.txt`, goreleaser's `<name>_checksums.txt`, Grafana's `<archive>.sha256`). This downloads it
and compares, for amd64 and arm64, the sha256 lab.yaml pins with the one upstream lists for the archive
`release.url` names. Nothing is installed and nothing else is fetched.

    python3 -m scripts.pins                                # verify every pin (make pins)
    python3 -m scripts.pins --update prometheus 3.5.4      # new version, hashes from upstream, lab.yaml rewritten
    python3 -m scripts.pins --update grafana 13.2.3 --build 36482603486   # a download path with a build number
    python3 -m scripts.pins --mirror http://127.0.0.1:8000 # fetch https://<host>/<path> as <mirror>/<host>/<path>

Exit status: 0 every pin matches; 1 a pin differs from upstream or a checksum file could not be read;
2 lab.yaml is invalid or the update was refused.
"""

import argparse
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from provision import install, inventory, schema

HEX = re.compile(r"[0-9a-f]{64}")
TIMEOUT = 30


def via(url, mirror):
    """The address to fetch `url` at: itself, or <mirror>/<host>/<path>."""
    return f"{mirror.rstrip('/')}/{url.removeprefix('https://')}" if mirror else url


def parse_sums(text):
    """{file name: sha256} from a checksum file; a file holding one bare hash gives {None: hash}."""
    sums = {}
    for line in text.splitlines():
        words = line.split()
        if words and HEX.fullmatch(words[0].lower()):
            name = PurePosixPath(words[1].lstrip("*")).name if len(words) > 1 else None
            sums[name] = words[0].lower()
    return sums


def archive_name(release, version, arch):
    return PurePosixPath(install.archive_url(release, version, arch)).name


def upstream(release, version, arch, fetch):
    """The sha256 upstream lists for the archive of `arch`, or None when the file lists no such archive."""
    sums = parse_sums(fetch(install.archive_url(release, version, arch, key="checksums")))
    name = archive_name(release, version, arch)
    if name in sums:
        return sums[name]
    return sums[None] if set(sums) == {None} else None


class Refused(Exception):
    """An update that cannot be made; the message says why."""


@dataclass
class Finding:
    component: str
    arch: str
    verdict: str  # ok | differs | unpinned | absent | unreadable | no-file
    detail: str = ""

    @property
    def bad(self):
        return self.verdict in ("differs", "unreadable")

    def __str__(self):
        return f"{self.component} {self.arch}: {self.verdict}{' - ' + self.detail if self.detail else ''}"


def verify(components, fetch):
    """One Finding per component with a release and architecture."""
    found = []
    for name, component in components.items():
        release = component.get("release")
        if not release:
            continue
        pins = release.get("sha256") or {}
        for arch in schema.ARCHES:
            if not release.get("checksums"):
                found.append(Finding(name, arch, "no-file", "no release.checksums: nothing to verify against"))
                continue
            try:
                listed = upstream(release, component["version"], arch, fetch)
            except OSError as e:
                found.append(Finding(name, arch, "unreadable", f"{release['checksums']}: {e}"))
                continue
            pinned = pins.get(arch)
            if listed is None:
                found.append(Finding(name, arch, "absent" if not pinned else "differs",
                                     f"upstream lists no {archive_name(release, component['version'], arch)}"))
            elif pinned is None:
                found.append(Finding(name, arch, "unpinned", f"upstream has {listed}"))
            elif pinned != listed:
                found.append(Finding(name, arch, "differs", f"lab.yaml pins {pinned}, upstream lists {listed}"))
            else:
                found.append(Finding(name, arch, "ok"))
    return found


def _block(lines, name):
    """(first, end) line indexes of components.<name> in lab.yaml's lines."""
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "components:")
    first = next(i for i in range(start + 1, len(lines)) if lines[i].rstrip() == f"  {name}:")
    end = next((i for i in range(first + 1, len(lines))
                if lines[i].strip() and not lines[i].startswith("   ")), len(lines))
    return first, end


def _scalar(digest):
    """A hash as YAML reads it back as text (one of digits only, or digits and an e, would be a number)."""
    return digest if isinstance(yaml.safe_load(digest), str) else f'"{digest}"'


def rewrite(text, name, version, hashes, source, build=None):
    """lab.yaml's text with components.<name> at `version` (and release.build at `build`, when given) and its sha256
    block holding `hashes`."""
    lines = text.splitlines(keepends=True)
    first, end = _block(lines, name)
    block = lines[first:end]
    at = next(i for i, line in enumerate(block) if re.match(r"    version:", line))
    block[at] = re.sub(r"(    version:\s*)\S+", rf"\g<1>{version}", block[at], count=1)
    if build is not None:
        had = next((i for i, line in enumerate(block) if re.match(r"      build:", line)), None)
        if had is not None:
            block[had] = re.sub(r"(      build:\s*)\S+", rf'\g<1>"{build}"', block[had], count=1)
        else:
            url = next(i for i, line in enumerate(block) if re.match(r"      url:", line))
            block.insert(url + 1, f'      build: "{build}"\n')
    sha = next(i for i, line in enumerate(block) if re.match(r"      sha256:", line))
    stop = next((i for i in range(sha + 1, len(block)) if not block[i].startswith("        ")), len(block))
    pinned = [f"      sha256:  # from {source} (scripts/pins.py)\n"]
    pinned += [f"        {arch}: {_scalar(digest)}\n" for arch, digest in hashes.items()]
    lines[first:end] = block[:sha] + pinned + block[stop:]
    return "".join(lines)


def update(path, name, version, fetch, build=None):
    """Move components.<name> to `version` (and its download path's build number): its hashes from upstream, lab.yaml
    rewritten once it validates."""
    lab = inventory.read(path)  # the file's own keys: an overlay's pins are those of the inventory it extends
    component = (lab.get("components") or {}).get(name) if isinstance(lab, dict) else None
    if not (component or {}).get("release") and isinstance(lab, dict) and inventory.EXTENDS in lab:
        raise Refused(f"components.{name}'s release pins are not written in {path}: it extends {lab[inventory.EXTENDS]}, "
                      "which holds them; update them there")
    if not component or not (component.get("release") or {}).get("checksums"):
        raise Refused(f"components.{name} has no release.checksums in {path}: nothing to take hashes from")
    release = dict(component["release"], **({"build": build} if build else {}))
    if "{build}" in release["url"] and not build:
        raise Refused(f"components.{name}'s download path carries a build number beside the version: give the new one with "
                      "--build (read it on the project's download page)")
    hashes = {}
    for arch in schema.ARCHES:
        listed = upstream(release, version, arch, fetch)
        if listed:
            hashes[arch] = listed
    if "amd64" not in hashes:
        raise Refused(f"{install.archive_url(release, version, 'amd64', key='checksums')} lists no "
                         f"{archive_name(release, version, 'amd64')}: is {version} a release of {name}?")
    text = rewrite(Path(path).read_text(), name, version, hashes, install.archive_url(release, version, "{arch}", key="checksums"),
                   build=build)
    with tempfile.NamedTemporaryFile("w", dir=Path(path).parent, suffix=".yaml", delete=False) as tmp:
        tmp.write(text)
    try:
        try:
            inventory.load(tmp.name, env={})
        except inventory.InventoryError as e:
            raise inventory.InventoryError(f"{path} once rewritten", e.problems) from None
        os.replace(tmp.name, path)
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    return hashes


def fetcher(mirror):
    def fetch(url):
        request = urllib.request.Request(via(url, mirror), headers={"User-Agent": "promlab-pins"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - https or the mirror
                return response.read(1 << 20).decode("utf-8", "replace")
        except urllib.error.URLError as e:
            raise OSError(str(getattr(e, "reason", e))) from None
    return fetch


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m scripts.pins", description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default=None, help="the inventory (default: $LAB_FILE or lab.yaml)")
    parser.add_argument("--mirror", default=None, help="fetch https://<host>/<path> as <mirror>/<host>/<path>")
    parser.add_argument("--update", nargs=2, metavar=("COMPONENT", "VERSION"), help="move a component to a release")
    parser.add_argument("--build", default=None, help="with --update: the build number the download path carries (Grafana 12+)")
    args = parser.parse_args(argv)
    path = Path(args.lab or inventory.default_path())
    fetch = fetcher(args.mirror)
    try:
        if args.update:
            name, version = args.update
            version_type = schema.component().keys["version"].type
            if version_type.wrong(version):  # the same rule as components.<name>.version in lab.yaml
                print(f"promlab: {version!r} {version_type.wrong(version)}; allowed: {version_type.en}", file=sys.stderr)
                return 2
            build_type = schema.component().keys["release"].type.keys["build"].type
            if args.build is not None and build_type.wrong(args.build):
                print(f"promlab: --build {args.build!r} {build_type.wrong(args.build)}; allowed: {build_type.en}", file=sys.stderr)
                return 2
            hashes = update(path, name, version, fetch, build=args.build)
            print(f"{path}: components.{name} now {version}, sha256 for {', '.join(hashes)} from upstream")
            return 0
        lab = inventory.load(path, env={})
    except (inventory.InventoryError, Refused) as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"promlab: {e}", file=sys.stderr)
        return 1
    found = verify(lab.components, fetch)
    for finding in found:
        print(finding)
    bad = [f for f in found if f.bad]
    print(f"{len(found) - len(bad)} of {len(found)} pins agree with upstream or are not pinned"
          + (f"; {len(bad)} to look at" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
