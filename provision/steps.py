"""The shared provisioning steps: each reads the state, compares it, then acts.

Every step reports one line, `ok` or `changed`, with the reason, and returns
True when it changed something. `Run.root` lets the file steps work on a
temporary root (tests); commands run only through `Run.sh`.

In check mode (`Run(check=True)`, `python3 -m provision --check <node>`) a step reads
and compares as always, then reports `differs` with what it would do (a file: a short
diff) and does nothing: the lab stays as it is, drift is named.
"""

import difflib
import grp
import os
import pwd
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class StepError(Exception):
    """A step could not reach its state; the message says what to do."""


@dataclass
class Run:
    node: str
    root: Path = Path("/")
    out: object = None  # None: sys.stdout at the time of printing
    counts: dict = field(default_factory=lambda: {"ok": 0, "changed": 0})
    daemon_reload_needed: bool = False
    check: bool = False  # report what differs, change nothing

    def path(self, path):
        return self.root / str(path).lstrip("/")

    def report(self, changed, what, why):
        status = "changed" if changed else "ok"
        self.counts[status] += 1
        shown = "differs" if changed and self.check else status
        print(f"{shown:<7} {what}: {why}", file=self.out or sys.stdout, flush=True)
        return changed

    def would(self, what, why):
        """In check mode: report that `what` differs and what a run would do; True."""
        return self.report(True, what, f"would be {why}")

    def sh(self, *cmd, check=True, env=None, input=None):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, input=input)
        if check and proc.returncode != 0:
            raise StepError(f"{' '.join(cmd)} failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()}")
        return proc

    def spawn(self, *cmd, out=None):
        """A command that runs beside the step (a server the step needs for a while): its Popen, its output to `out`;
        the caller stops it."""
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)

    def summary(self):
        return f"{self.node}: {self.counts['ok']} ok, {self.counts['changed']} {'differ' if self.check else 'changed'}"


def ids(run, owner, group):
    """uid/gid of names as the (possibly temporary) root's passwd and group files say."""
    if run.root == Path("/"):
        return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid

    def lookup(table, name):
        for line in run.path(f"/etc/{table}").read_text().splitlines():
            fields = line.split(":")
            if fields[0] == name:
                return int(fields[2])
        raise StepError(f"no {table} entry {name!r} under {run.root}")

    return lookup("passwd", owner), lookup("group", group)


def user_exists(run, name):
    passwd = run.path("/etc/passwd")
    return any(line.split(":")[0] == name for line in passwd.read_text().splitlines())


def user(run, name, home):
    """A system user and group of the same name, no login shell, no home created."""
    if user_exists(run, name):
        return run.report(False, f"user {name}", "exists")
    if run.check:
        return run.would(f"user {name}", "created")
    prefix = [] if run.root == Path("/") else ["--prefix", str(run.root)]
    run.sh("useradd", *prefix, "--system", "--user-group", "--no-create-home",
           "--home-dir", home, "--shell", "/usr/sbin/nologin", name)
    return run.report(True, f"user {name}", "created")


def _fix_owner_mode(run, path, owner, group, mode):
    """chown/chmod path as needed; return what was fixed (empty when nothing)."""
    try:
        uid, gid = ids(run, owner, group)
    except (KeyError, StepError):
        if run.check:  # the user comes with a step the check did not take
            return [f"owner {owner}:{group} (no such user yet)"]
        raise
    st = os.stat(path)
    fixed = []
    if (st.st_uid, st.st_gid) != (uid, gid):
        if not run.check:
            os.chown(path, uid, gid)
        fixed.append(f"owner {owner}:{group}")
    if st.st_mode & 0o7777 != mode:
        if not run.check:
            os.chmod(path, mode)
        fixed.append(f"mode {mode:04o}")
    return fixed


def directory(run, path, owner="root", group="root", mode=0o755):
    target = run.path(path)
    if not target.is_dir() and run.check:
        return run.would(f"directory {path}", "created")
    if not target.is_dir():
        target.mkdir(parents=True, mode=mode)
        _fix_owner_mode(run, target, owner, group, mode)
        return run.report(True, f"directory {path}", "created")
    fixed = _fix_owner_mode(run, target, owner, group, mode)
    return run.report(bool(fixed), f"directory {path}", ", ".join(fixed) if fixed else "exists with its owner and mode")


def file(run, path, content, owner="root", group="root", mode=0o644, validate=None, secret=False):
    """Put `content` at `path`. `validate(tmp_path)` may raise StepError: the old file stays.
    secret: the content holds a credential (check mode never shows it)."""
    target = run.path(path)
    data = content.encode() if isinstance(content, str) else content
    if target.is_file() and target.read_bytes() == data:
        fixed = _fix_owner_mode(run, target, owner, group, mode)
        return run.report(bool(fixed), f"file {path}", ", ".join(fixed) if fixed else "content, owner and mode as wanted")
    if run.check:
        return run.would(f"file {path}", "written" + difference(target, data, secret))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _fix_owner_mode(run, tmp, owner, group, mode)
        if validate:
            validate(tmp)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return run.report(True, f"file {path}", "written" if data else "emptied")


def difference(target, data, secret=False, lines=12):
    """What a write would change, for check mode: for a configuration it knows (YAML, a unit), what it means (or that
    only its form differs); else a short unified diff; never the content of a secret."""
    if not target.is_file():
        return ": absent"
    if secret:
        return ": its content differs (not shown: it holds a credential)"
    try:
        old_text, new_text = target.read_text(), data.decode()
    except UnicodeDecodeError:
        return ": its content differs (binary)"
    if target.suffix in (".yml", ".yaml", ".service"):
        from provision import drift

        said = (drift.meaning if target.suffix != ".service" else drift.unit_meaning)(str(target), old_text, new_text)
        if said and said.startswith("differs only in form"):
            return f": {said}"
        if said:  # what it means, then the lines themselves
            return f": {said}{_diff(old_text, new_text, lines, ':')}"
    return _diff(old_text, new_text, lines)


def _diff(old_text, new_text, lines, lead=""):
    """A short unified diff of two texts, for check mode."""
    old, new = old_text.splitlines(), new_text.splitlines()
    diff = [d for d in difflib.unified_diff(old, new, lineterm="", n=0) if not d.startswith(("---", "+++", "@@"))]
    shown = "\n        ".join(diff[:lines]) + (f"\n        ... {len(diff) - lines} more lines" if len(diff) > lines else "")
    if lead:
        return f"\n        {shown}" if diff else ""
    return f":\n        {shown}" if diff else ": its content differs"


def only_files(run, directory, keep):
    """Remove the files in `directory` that are not named in `keep` (e.g. a dashboard no longer shipped)."""
    if not run.path(directory).is_dir():
        return run.would(f"directory {directory}", "created") if run.check else False
    extra = sorted(p.name for p in run.path(directory).iterdir() if p.is_file() and p.name not in keep)
    if extra and run.check:
        return run.would(f"directory {directory}", f"rid of {', '.join(extra)}")
    for name in extra:
        (run.path(directory) / name).unlink()
    return run.report(bool(extra), f"directory {directory}", f"removed {', '.join(extra)}" if extra else "holds only promlab's files")


def gone(run, path, why):
    """A file an earlier promlab installed and none needs now: removed (`why` says what replaced it)."""
    if not run.path(path).is_file():
        return run.report(False, f"file {path}", "absent")
    if run.check:
        return run.would(f"file {path}", f"removed ({why})")
    run.path(path).unlink()
    return run.report(True, f"file {path}", f"removed ({why})")


def checked_by(run, *checker, target, keeps):
    """A `validate` for file(): the checker command (the new file's path appended) must accept the new
    file; otherwise StepError quoting it, and `keeps` (the service) goes on with the old `target`."""

    def validate(path):
        proc = run.sh(*checker, str(path), check=False)
        if proc.returncode != 0:
            raise StepError(f"the new {target} is refused by {Path(checker[0]).name}; {keeps} keeps the old one:\n"
                            f"{(proc.stdout + proc.stderr).strip()}")

    return validate


def unit(run, name, content):
    """A systemd unit file under /etc/systemd/system; marks a daemon-reload when it changes."""
    changed = file(run, f"/etc/systemd/system/{name}", content)
    run.daemon_reload_needed |= changed
    return changed


def _systemctl(run, *args, check=True):
    return run.sh("systemctl", *args, check=check)


def masked(run, name):
    """A unit that must never run (a package's own unit that promlab replaces)."""
    state = _systemctl(run, "is-enabled", name, check=False).stdout.strip()
    if state == "masked":
        return run.report(False, f"unit {name}", "masked")
    if run.check:
        return run.would(f"unit {name}", f"stopped and masked (is {state or 'unknown'})")
    _systemctl(run, "disable", "--now", name, check=False)
    _systemctl(run, "mask", name)
    return run.report(True, f"unit {name}", f"was {state or 'unknown'}, now stopped and masked")


def stopped(run, name):
    """Stop a unit before what it serves is replaced (its service step starts it again)."""
    if _systemctl(run, "is-active", name, check=False).stdout.strip() == "active":
        _systemctl(run, "stop", name)
        return run.report(True, f"service {name}", "stopped while its data is replaced")
    return False


def service(run, name, restart=False, reload=False):
    """Enabled and running. restart: the unit or binary changed; reload: only its config did."""
    if run.daemon_reload_needed and not run.check:
        _systemctl(run, "daemon-reload")
        run.daemon_reload_needed = False
    enabled = _systemctl(run, "is-enabled", name, check=False).stdout.strip()
    active = _systemctl(run, "is-active", name, check=False).stdout.strip()
    if run.check:
        wanted = [w for w, needed in (("enabled", enabled != "enabled"), ("started", active != "active"),
                                      ("restarted", restart), ("reloaded", reload)) if needed]
        if wanted:
            return run.would(f"service {name}", f"{' and '.join(wanted)} (is {enabled or 'unknown'}, {active or 'unknown'})")
        return run.report(False, f"service {name}", "enabled and running")
    if enabled != "enabled":
        _systemctl(run, "enable", name)
        run.report(True, f"service {name}", f"enabled (was {enabled or 'unknown'})")
    if active != "active":
        _start(run, name, "start")
        return run.report(True, f"service {name}", f"started (was {active})")
    if restart:
        _start(run, name, "restart")
        return run.report(True, f"service {name}", "restarted: its unit or binary changed")
    if reload:
        _systemctl(run, "reload", name)
        return run.report(True, f"service {name}", "reloaded: its configuration changed")
    return run.report(False, f"service {name}", "enabled and running")


def _restarts(run, name):
    return int(_systemctl(run, "show", name, "-p", "NRestarts", "--value").stdout.strip() or 0)


def _start(run, name, action):
    """start/restart the unit; it must stay active, with no automatic restart, for a moment."""
    _systemctl(run, action, name)
    before = _restarts(run, name)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        time.sleep(0.25)
        state = _systemctl(run, "is-active", name, check=False).stdout.strip()
        restarts = _restarts(run, name)
        if state != "active" or restarts != before:
            journal = run.sh("journalctl", "-u", name, "-n", "15", "--no-pager", check=False).stdout
            raise StepError(f"service {name} does not stay up after {action} (state {state}, "
                            f"{restarts - before} automatic restarts); its journal ends with:\n{journal}")
