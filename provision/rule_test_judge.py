"""A student's `promtool test rules` file, run as written and against mutants of the rule it tests (run on the
Prometheus node, where promtool and the rule files are; standard library and PyYAML only).

A test proves a rule only if it fails when the rule is wrong: each mutant replaces the rule's expression with a
wrong one of the same labels (the other share, nothing at all, a percentage), and a test that still passes with it
cannot tell them apart. A mutant is first loaded by `promtool check rules`: one that does not load would fail any
test, and proves nothing (it is counted as surviving, and said so).

    python3 -m provision.rule_test_judge TEST_FILE RECORD PROMTOOL   # prints one JSON object
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

# Each on lines of its own: an expression that ends in a comment still closes its parenthesis.
MUTANTS = {"complement": "1 - (\n{}\n)", "zero": "0 * (\n{}\n)", "percent": "100 * (\n{}\n)"}


def _run(promtool, test, cwd):
    proc = subprocess.run([promtool, "test", "rules", os.path.basename(test)], cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def _loads(promtool, paths, cwd):
    """True when promtool accepts the rule files: a mutant that does not load proves nothing about the test."""
    proc = subprocess.run([promtool, "check", "rules", *paths], cwd=cwd, capture_output=True, text=True, timeout=60)
    return proc.returncode == 0


def _rule_files(spec, base):
    """The rule files the test names (globs expanded, relative to the test file), in its order."""
    found = []
    for pattern in spec.get("rule_files") or []:
        path = pattern if os.path.isabs(str(pattern)) else os.path.join(base, str(pattern))
        found += sorted(glob.glob(path)) or [path]
    return found


def _mutate(path, record, template):
    """The rule file's text with `record`'s expression wrapped by the template; None when it holds no such rule."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            rules = yaml.safe_load(f)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    held = False
    for group in (rules or {}).get("groups") or []:
        for rule in (group or {}).get("rules") or []:
            if isinstance(rule, dict) and rule.get("record") == record:
                rule["expr"] = template.format(rule.get("expr"))
                held = True
    return yaml.safe_dump(rules, sort_keys=False) if held else None


def examine(test, record, promtool):
    base = os.path.dirname(os.path.abspath(test))
    with open(test, encoding="utf-8-sig") as f:
        spec = yaml.safe_load(f)
    passes, output = _run(promtool, test, base)
    files = _rule_files(spec, base)
    holding = [p for p in files if _mutate(p, record, "{}") is not None]
    survivors, unloaded = [], []
    if passes and holding:
        for name, template in MUTANTS.items():
            with tempfile.TemporaryDirectory(prefix="promlab-mutant-") as tmp:
                rule_files = []
                for i, path in enumerate(files):
                    mutated = _mutate(path, record, template)
                    if mutated is None:
                        rule_files.append(path)
                        continue
                    copy = os.path.join(tmp, f"{i}-{os.path.basename(path)}")
                    with open(copy, "w") as out:
                        out.write(mutated)
                    rule_files.append(copy)
                mutant_test = os.path.join(tmp, "test.yml")
                with open(mutant_test, "w") as out:
                    yaml.safe_dump(dict(spec, rule_files=rule_files), out, sort_keys=False)
                mutated = [p for p in rule_files if p.startswith(tmp)]
                if not _loads(promtool, mutated, tmp):
                    unloaded.append(name)  # the test is not credited with catching it
                    survivors.append(name)
                elif _run(promtool, mutant_test, tmp)[0]:
                    survivors.append(name)
    return {"passes": passes, "output": output[-1500:], "holds_record": bool(holding), "survivors": survivors,
            "unloaded": unloaded}


if __name__ == "__main__":
    print(json.dumps(examine(*sys.argv[1:4])))
