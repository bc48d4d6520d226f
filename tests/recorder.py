"""A node for the fast tests: a Run whose commands are answered from facts and recorded (facts in, commands out)."""

import subprocess
from dataclasses import dataclass, field

from provision import steps

# What a command changes, by its first words: none of these may run in check mode, nor in a second run.
CHANGING = (("systemctl", "enable"), ("systemctl", "start"), ("systemctl", "restart"), ("systemctl", "reload"), ("systemctl", "stop"),
            ("chown",), ("promtool", "tsdb"),
            ("systemctl", "daemon-reload"), ("systemctl", "mask"), ("systemctl", "disable"), ("useradd",),
            ("apt-get",), ("runuser",), ("mariadb",), ("psql",))


@dataclass
class Recorder(steps.Run):
    """A Run whose commands are answered from `facts` ({command prefix: (exit code, stdout[, stderr])}) and recorded;
    a command that fails raises StepError when the caller checks, as Run.sh does."""

    facts: dict = field(default_factory=dict)
    issued: list = field(default_factory=list)

    def sh(self, *cmd, check=True, env=None, input=None):
        self.issued.append(cmd)
        for prefix, answer in sorted(self.facts.items(), key=lambda f: -len(f[0])):
            if cmd[:len(prefix)] == prefix:
                code, out, err = (*answer, "")[:3]
                if check and code:
                    raise steps.StepError(f"{' '.join(cmd)} failed (exit {code}): {err or out}")
                return subprocess.CompletedProcess(cmd, code, out, err)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    def changing(self):
        return [c for c in self.issued if any(c[:len(p)] == p for p in CHANGING)]

    def updates(self):
        return [c for c in self.issued if c[:2] == ("apt-get", "update")]
