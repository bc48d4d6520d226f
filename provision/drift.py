"""What a drift means: a configuration file on a node compared as data with what provisioning makes of it (check mode).
A file that differs only in form (comments, key order, flow or block style, quotes) is said to be so; one that differs
in meaning says what, in the configuration's own terms: a Prometheus job's targets, a rule by its name, a setting by
its path. Standard library and PyYAML only (it runs in the guests)."""

import yaml

SHOWN = 6  # differences named at most; the rest counted


def _load(text):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return _Unparsable


class _Unparsable:
    pass


def _targets(config):
    """{job: {address: node label}} of a Prometheus configuration's static targets."""
    found = {}
    for job in (config or {}).get("scrape_configs") or []:
        if not isinstance(job, dict):
            continue
        targets = found.setdefault(str(job.get("job_name")), {})
        for static in job.get("static_configs") or []:
            node = ((static or {}).get("labels") or {}).get("node")
            for address in (static or {}).get("targets") or []:
                targets[str(address)] = node
    return found


def _rules(config):
    """{(kind, name): rule} of a rules file."""
    found = {}
    for group in (config or {}).get("groups") or []:
        for rule in (group or {}).get("rules") or []:
            if isinstance(rule, dict):
                kind = "alert" if "alert" in rule else "record"
                found[(kind, str(rule.get(kind)))] = rule
    return found


def _paths(value, prefix=""):
    """{dotted path: leaf value} of nested mappings and lists."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(_paths(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or {prefix: {}}
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_paths(v, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: value}


def _prometheus(have, want):
    said = []
    got, wanted = _targets(have), _targets(want)
    for job in sorted(set(wanted) - set(got)):
        said.append(f"no job {job}")
    for job in sorted(set(got) - set(wanted)):
        said.append(f"a job {job} provisioning does not make")
    for job in sorted(set(got) & set(wanted)):
        for address in sorted(set(wanted[job]) - set(got[job])):
            node = wanted[job][address]
            said.append(f"job {job} has no target {address}" + (f" ({node})" if node else ""))
        for address in sorted(set(got[job]) - set(wanted[job])):
            said.append(f"job {job} has a target {address} provisioning does not make")
    rest_have = {k: v for k, v in (have or {}).items() if k != "scrape_configs"}
    rest_want = {k: v for k, v in (want or {}).items() if k != "scrape_configs"}
    return said + _settings(rest_have, rest_want) + (_jobs_settings(have, want) if not said else [])


def _jobs_settings(have, want):
    """The settings of the jobs both have, by path, beyond their targets."""
    def by_job(config):
        return {str(j.get("job_name")): {k: v for k, v in j.items() if k != "static_configs"}
                for j in (config or {}).get("scrape_configs") or [] if isinstance(j, dict)}
    got, wanted = by_job(have), by_job(want)
    said = []
    for job in sorted(set(got) & set(wanted)):
        said += [f"job {job}: {line}" for line in _settings(got[job], wanted[job])]
    return said


def _rules_file(have, want):
    got, wanted = _rules(have), _rules(want)
    said = [f"no {kind} rule {name}" for kind, name in sorted(set(wanted) - set(got))]
    said += [f"a {kind} rule {name} provisioning does not make" for kind, name in sorted(set(got) - set(wanted))]
    for key in sorted(set(got) & set(wanted)):
        said += [f"{key[0]} rule {key[1]}: {line}" for line in _settings(got[key], wanted[key])]
    return said


def _settings(have, want):
    got, wanted = _paths(have), _paths(want)
    said = []
    for path in sorted(set(got) | set(wanted)):
        if path not in got:
            said.append(f"{path} is missing (provisioning makes it {wanted[path]!r})")
        elif path not in wanted:
            said.append(f"{path} is {got[path]!r}, which provisioning does not make")
        elif got[path] != wanted[path]:
            said.append(f"{path} is {got[path]!r}, provisioning makes it {wanted[path]!r}")
    return said


def meaning(path, have_text, want_text):
    """How a YAML configuration on the node (`have_text`) differs from what provisioning makes (`want_text`), in
    words; None when either is not YAML (a text diff then says it)."""
    have, want = _load(have_text), _load(want_text)
    if have is _Unparsable or want is _Unparsable:
        return None
    if have == want:
        return "differs only in form (comments, order or layout): its meaning is the same"
    if isinstance(want, dict) and "scrape_configs" in want:
        said = _prometheus(have if isinstance(have, dict) else {}, want)
    elif isinstance(want, dict) and "groups" in want:
        said = _rules_file(have if isinstance(have, dict) else {}, want)
    else:
        said = _settings(have, want)
    if not said:
        return None
    shown = "; ".join(said[:SHOWN])
    return shown + (f"; and {len(said) - SHOWN} more" if len(said) > SHOWN else "")


def _unit(text):
    """{section: {key: [values]}} of a systemd unit: comments, blank lines and line continuations are form."""
    found, section, joined = {}, None, []
    for raw in text.splitlines():
        line = raw.strip()
        if joined:
            joined.append(line.rstrip("\\").strip())
            if not line.endswith("\\"):
                key, value = joined[0].split("=", 1)
                found[section].setdefault(key.strip(), []).append(" ".join([value.strip(), *joined[1:]]).strip())
                joined = []
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            found.setdefault(section, {})
        elif "=" in line and section is not None:
            if line.endswith("\\"):
                joined = [line.rstrip("\\").strip()]
                continue
            key, value = line.split("=", 1)
            found[section].setdefault(key.strip(), []).append(value.strip())
    return found


def unit_meaning(path, have_text, want_text):
    """How a systemd unit on the node differs from what provisioning makes, by section and key."""
    have, want = _unit(have_text), _unit(want_text)
    if have == want:
        return "differs only in form (comments, order or layout): its meaning is the same"

    def flat(unit):
        return {f"[{section}] {key}": " ".join(values) for section, keys in unit.items() for key, values in keys.items()}

    said = _settings(flat(have), flat(want))
    shown = "; ".join(said[:SHOWN])
    return shown + (f"; and {len(said) - SHOWN} more" if len(said) > SHOWN else "")
