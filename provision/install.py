"""Install a component's programs: `release` (pinned tarball) or `apt` (Debian package).

Whatever the method, the caller gets {program: path}; units, users, config paths
and ports do not depend on it.

release: the archive comes from the cache (the synced folder, shared by every
node of a host) or is downloaded into it; its sha256 must equal the pinned one
before anything is unpacked. A mismatch or a failed download installs nothing.
"""

import hashlib
import os
import platform
import re
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from provision import steps
from provision.steps import StepError, masked

BIN_DIR = "/usr/local/bin"
ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
POLICY_RC = "/usr/sbin/policy-rc.d"


def archive_url(release, version, arch_name, key="url"):
    """The address of a release's archive (key="url") or checksum file (key="checksums") for a version and an
    architecture; {build} is the release's build number (Grafana's download path carries one since 12.x)."""
    return release[key].format(version=version, arch=arch_name, build=release.get("build", ""))


def arch():
    machine = platform.machine()
    if machine not in ARCHES:
        raise StepError(f"no release archive for machine type {machine}; use LAB_INSTALL_METHOD=apt")
    return ARCHES[machine]


def method_for(component, method, arch_name=None):
    """The method the component really installs with: `release` becomes `apt` (Debian's package)
    on an architecture for which lab.yaml pins no checksum, because nothing unverified is installed."""
    if method == "release" and (arch_name or ARCHES.get(platform.machine())) not in component["release"]["sha256"]:
        return "apt"
    return method


def paths(component, method):
    """{program: absolute path} once installed with this method."""
    if method_for(component, method) == "apt":
        return dict(component["apt"]["binaries"])
    tree = component["release"].get("tree")
    directory = f"{tree}/bin" if tree else BIN_DIR
    return {name: f"{directory}/{name}" for name in component["release"]["binaries"]}


def install(run, name, component, method, cache):
    """Install the component's programs; return ({program: path}, changed)."""
    if method_for(component, method) != method:
        run.report(False, f"release {name}", f"lab.yaml pins no sha256 for {arch()}: Debian's package instead")
        method = "apt"
    if method == "apt":
        changed = False
        if "repository" in component["apt"]:
            changed |= apt_repository(run, name, component["apt"]["repository"])
        suite = component["apt"].get("suite")
        if suite and suite != codename(run):
            changed |= apt_suite(run, suite)
        else:
            suite = None
        changed |= apt_package(run, component["apt"]["package"], suite)
        for unit in component["apt"].get("replaces", []):
            changed |= masked(run, unit)
        return paths(component, method), changed
    return paths(component, method), release(run, name, component, cache, arch())


# --- release ---------------------------------------------------------------

def installed_version(run, path):
    """The version a program reports with `--version` (`version 3.4.1`, `v1.80.1`), or None."""
    if not path.exists():
        return None
    proc = run.sh(str(path), "--version", check=False)
    found = re.search(r"\bv?(\d+\.\d+\.\d+)\b", proc.stdout + proc.stderr)
    return found.group(1) if found else None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(url, expected, cache):
    """The archive at `url`, from the cache or downloaded into it, verified; return its path."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    cached = cache / url.rsplit("/", 1)[1]
    if cached.is_file() and sha256_of(cached) == expected:
        return cached, False
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=f".{cached.name}.")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
        actual = sha256_of(tmp)
        if actual != expected:
            raise StepError(f"checksum mismatch for {url}: expected sha256 {expected}, got {actual}; nothing installed")
        os.replace(tmp, cached)
    except OSError as e:
        raise StepError(f"download of {url} failed: {e}; nothing installed "
                        f"(offline? put the archive in {cache} or use LAB_INSTALL_METHOD=apt)") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return cached, True


def release(run, name, component, cache, arch_name):
    version = str(component["version"])
    wanted = paths(component, "release")
    have = {prog: installed_version(run, run.path(path)) for prog, path in wanted.items()}
    if all(v == version for v in have.values()):
        return run.report(False, f"release {name} {version}", "installed")
    if run.check:
        return run.would(f"release {name} {version}", f"installed (has {have})")
    url = archive_url(component["release"], version, arch_name)
    archive, downloaded = fetch(url, component["release"]["sha256"][arch_name], cache)
    source = "downloaded" if downloaded else "from the cache"
    tree = component["release"].get("tree")
    if tree:
        _install_tree(run, archive, tree, version)
        return run.report(True, f"release {name} {version}", f"unpacked into {tree}-{version} ({source}, sha256 verified; was {have})")
    _install_programs(run, archive, wanted)
    return run.report(True, f"release {name} {version}", f"installed ({source}, sha256 verified; was {have})")


def _install_programs(run, archive, wanted):
    """Take the wanted programs out of the archive into their paths, each replaced atomically."""
    bin_dir = run.path(BIN_DIR)
    bin_dir.mkdir(parents=True, exist_ok=True)
    staged = {}
    try:
        with tarfile.open(archive) as tar:
            members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
            for prog in wanted:
                if prog not in members:
                    raise StepError(f"{archive.name} has no program {prog!r}; nothing installed")
                fd, tmp = tempfile.mkstemp(dir=bin_dir, prefix=f".{prog}.")
                staged[prog] = tmp
                with os.fdopen(fd, "wb") as out:
                    out.write(tar.extractfile(members[prog]).read())
                os.chmod(tmp, 0o755)
        for prog, tmp in staged.items():
            os.replace(tmp, run.path(wanted[prog]))
    finally:
        for tmp in staged.values():
            if os.path.exists(tmp):
                os.unlink(tmp)


def _member_path(member):
    """The member's path below the archive's top folder; refuses absolute paths and '..'."""
    parts = Path(member.name).parts
    if member.name.startswith("/") or ".." in parts:
        raise StepError(f"archive member {member.name!r} points outside the archive; nothing installed")
    return Path(*parts[1:]) if len(parts) > 1 else None


def _install_tree(run, archive, tree, version):
    """Unpack the whole archive (without its top folder) into <tree>-<version>, then point <tree> at it."""
    final = run.path(f"{tree}-{version}")
    staging = final.with_name(final.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                relative = _member_path(member)
                if relative is None:
                    continue
                target = staging / relative
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "wb") as out:
                        shutil.copyfileobj(tar.extractfile(member), out)
                    os.chmod(target, member.mode & 0o755)
                elif member.issym():
                    if member.linkname.startswith("/") or ".." in Path(member.linkname).parts:
                        raise StepError(f"archive link {member.name!r} -> {member.linkname!r} leaves the archive; nothing installed")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.symlink(member.linkname, target)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    link = run.path(tree)
    tmp_link = link.with_name(f".{link.name}.new")
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(final.name, tmp_link)
    os.replace(tmp_link, link)


# --- apt ---------------------------------------------------------------------

PROXY_CONF = "/etc/apt/apt.conf.d/01promlab-proxy"


def apt_proxy(run, url):
    """APT through a caching proxy (apt-cacher-ng on the teacher's machine) while LAB_APT_PROXY names one."""
    if url:
        return steps.file(run, PROXY_CONF, f'# promlab: LAB_APT_PROXY\nAcquire::http::Proxy "{url}";\n')
    if run.path(PROXY_CONF).exists():
        if run.check:
            return run.would(f"file {PROXY_CONF}", "removed: LAB_APT_PROXY is no longer set")
        run.path(PROXY_CONF).unlink()
        return run.report(True, f"file {PROXY_CONF}", "removed: LAB_APT_PROXY is no longer set")
    return False


def _installed_version(run, package):
    proc = run.sh("dpkg-query", "-W", "-f=${Status} ${Version}", package, check=False)
    if proc.returncode != 0 or "not-installed" in proc.stdout or " installed " not in proc.stdout + " ":
        return None
    return proc.stdout.rsplit(" ", 1)[-1]


def _suite_version(run, package, suite):
    """The version of the package that `suite` offers (apt-cache madison), or None."""
    proc = run.sh("apt-cache", "madison", package, check=False)
    for line in proc.stdout.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) >= 3 and fields[0] == package and any(part.startswith(f"{suite}/") for part in fields[2].split()):
            return fields[1]
    return None


def apt_package(run, package, suite=None):
    """The Debian package, installed without starting its own units (promlab runs its own); with `suite`, the version
    that suite offers (another Debian suite, pinned by apt_suite so that nothing else comes from it)."""
    have = _installed_version(run, package)
    want = _suite_version(run, package, suite) if suite else None
    where = f" ({suite})" if suite else ""
    if have and (not suite or have == want):
        return run.report(False, f"package {package}{where}", f"installed ({have})" if suite else "installed")
    if run.check:
        return run.would(f"package {package}{where}", f"installed ({want or 'from ' + suite})" if suite else "installed")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install_cmd = ("apt-get", "install", "-y", "-q", "--no-install-recommends", *(("-t", suite) if suite else ()), package)
    policy = run.path(POLICY_RC)
    earlier = policy.read_bytes() if policy.is_file() else None  # an image's own policy comes back afterwards
    policy.parent.mkdir(parents=True, exist_ok=True)
    policy.write_text("#!/bin/sh\n# promlab: packages must not start services while they install\nexit 101\n")
    policy.chmod(0o755)
    try:
        proc = run.sh(*install_cmd, check=False, env=env)
        if proc.returncode != 0:  # the package index may be missing or stale: refresh it once
            _update(run, env)
            run.sh(*install_cmd, env=env)
    finally:
        if earlier is None:
            policy.unlink()
        else:
            policy.write_bytes(earlier)
    now = _installed_version(run, package) if suite else None
    return run.report(True, f"package {package}{where}", f"installed ({now})" if now else "installed")


# --- another Debian suite, for named components -------------------------------------------------------------

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SNAPSHOT = "LAB_APT_SNAPSHOT"


def codename(run):
    """The node's Debian release (trixie, bookworm), from /etc/os-release; None when it says none."""
    path = run.path("/etc/os-release")
    for line in (path.read_text().splitlines() if path.is_file() else []):
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"') or None
    return None


def debian_mirror(run):
    """The address of the node's own Debian mirror (its sources' first Debian entry), deb.debian.org by default."""
    old = run.path("/etc/apt/sources.list")
    for line in (old.read_text().splitlines() if old.is_file() else []):
        fields = [f for f in re.sub(r"\[[^]]*\]", " ", line).split() if f]
        if fields[:1] == ["deb"] and len(fields) >= 3 and "security" not in fields[1]:
            return fields[1]
    for sources in sorted(run.path("/etc/apt/sources.list.d").glob("*.sources")):
        if sources.name.startswith("promlab-"):
            continue
        uris = re.search(r"^URIs:\s*(\S+)", sources.read_text(), re.M)
        if uris and "security" not in uris.group(1) and "debian" in uris.group(1):
            return uris.group(1)
    return "http://deb.debian.org/debian"


def _update(run, env):
    """apt-get update; a Release file past its Valid-Until named in one sentence with what to do."""
    proc = run.sh("apt-get", "update", "-q", check=False, env=env)
    text = proc.stdout + proc.stderr
    if proc.returncode != 0 and ("is expired" in text or "no longer valid" in text):
        raise StepError("APT refuses a Debian index past its Valid-Until date: the mirror is a frozen copy (a snapshot). "
                        f"If you trust it, set {SNAPSHOT}=1 for the lab (it turns off APT's protection against an old "
                        f"index being replayed); else use an up-to-date mirror. APT said: {text.strip()[-300:]}")
    if proc.returncode != 0:
        raise StepError(f"apt-get update failed (exit {proc.returncode}): {text.strip()[-300:]}")


def apt_suite(run, suite):
    """An APT source for another Debian suite of the node's mirror, pinned at priority 100: nothing comes from it but
    what is asked for by name (apt-get -t <suite>), and nothing else leaves the node's own release. With LAB_APT_SNAPSHOT=1
    the suite's Release file is accepted past its Valid-Until (a frozen mirror, a snapshot)."""
    snapshot = os.environ.get(SNAPSHOT) == "1"
    note = (f"# promlab: {suite}, for the components lab.yaml takes from it"
            + (f" ({SNAPSHOT}=1: a frozen mirror, its expired index accepted)" if snapshot else "") + "\n")
    sources = (f"{note}Types: deb\nURIs: {debian_mirror(run)}\nSuites: {suite}\nComponents: main\nSigned-By: {KEYRING}\n"
               + ("Check-Valid-Until: no\n" if snapshot else ""))
    pin = f"{note}Package: *\nPin: release n={suite}\nPin-Priority: 100\n"
    changed = steps.file(run, f"/etc/apt/preferences.d/promlab-{suite}.pref", pin)
    changed |= steps.file(run, f"/etc/apt/sources.list.d/promlab-{suite}.sources", sources)
    indexed = any(run.path("/var/lib/apt/lists").glob(f"*_dists_{suite}_*Release"))
    if (changed or not indexed) and not run.check:
        _update(run, dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        run.report(True, f"apt index {suite}", "updated")
    return changed


def key_fingerprints(run, path):
    """The fingerprints of the primary keys in a key file (gpg --show-keys; a subkey's `fpr` follows `sub`)."""
    proc = run.sh("gpg", "--batch", "--show-keys", "--with-colons", str(path), check=False)
    found, record = [], None
    for fields in (line.split(":") for line in proc.stdout.splitlines()):
        if fields[0] in ("pub", "sub", "sec", "ssb"):
            record = fields[0]
        elif fields[0] == "fpr" and record in ("pub", "sec") and len(fields) > 9:
            found.append(fields[9])
            record = None
    return found


def apt_repository(run, name, repo):
    """A vendor's APT repository, trusted only with the signing key of the pinned fingerprint: a key file
    holding any other key as well is refused (apt would trust every key of the keyring)."""
    keyring = f"/etc/apt/keyrings/{name}.asc"
    expected = repo["key_fingerprint"]
    odd = [k for k in ("url", "suite", "component") if not re.fullmatch(r"[^\s]+", str(repo[k]))]
    if odd:
        raise StepError(f"apt repository {name}: {', '.join(odd)} hold(s) white space or nothing; nothing installed")
    changed = apt_package(run, "gnupg")  # to read the key's fingerprint
    if run.path(keyring).is_file() and key_fingerprints(run, run.path(keyring)) == [expected]:
        run.report(False, f"apt key {keyring}", f"holds the key {expected} only")
    elif run.check:
        changed |= run.would(f"apt key {keyring}", f"replaced by the key {expected} alone")
    else:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-key.")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(repo["key_url"], timeout=60) as response:
                out.write(response.read(1 << 20))
            found = key_fingerprints(run, tmp)
            if found != [expected]:
                raise StepError(f"the key file at {repo['key_url']} holds the keys {', '.join(found) or 'none'}, not the pinned "
                                f"{expected} alone; nothing installed")
            changed |= steps.file(run, keyring, Path(tmp).read_bytes(), mode=0o644)
        except OSError as e:
            raise StepError(f"download of {repo['key_url']} failed: {e}; nothing installed") from None
        finally:
            os.unlink(tmp)
    sources = (f"Types: deb\nURIs: {repo['url']}\nSuites: {repo['suite']}\nComponents: {repo['component']}\n"
               f"Signed-By: {keyring}\n")
    return steps.file(run, f"/etc/apt/sources.list.d/{name}.sources", sources) | changed
