"""The own-targets section of templates/prometheus.yml.j2, where a student writes jobs by hand (exercises 7 and 8):
its jobs parsed as YAML (the section alone: the rest of the file is the lab's template), found by the address they
scrape, cut out or trimmed without touching anything else."""

from exercises import yamledit

TEMPLATE = "templates/prometheus.yml.j2"
MARKERS = ("# --- Your own targets", "# --- End of your own targets")


def section(text):
    """(start, end) of the section's lines between its two marker lines; (len, len) when there is none."""
    first = text.find(MARKERS[0])
    last = text.find(MARKERS[1], first + 1) if first >= 0 else -1
    if first < 0 or last < 0:
        return len(text), len(text)
    start = text.find("\n", first) + 1
    return start, text.rfind("\n", 0, last) + 1


def _jobs(text):
    """(offset of the section, its sequence of jobs or None when it holds none)."""
    start, end = section(text)
    root = yamledit.parse(text[start:end])
    return start, root if root is not None and root.__class__.__name__ == "SequenceNode" else None


def scrapes(job, address):
    """True when a job (a node) has `address` among its static targets."""
    for config in yamledit.items(yamledit.get(job, "static_configs")):
        targets = yamledit.value(yamledit.get(config, "targets")) or []
        if isinstance(targets, list) and address in targets:
            return True
    return False


def _shifted(cut, offset):
    return yamledit.Cut(cut.start + offset, cut.end + offset, cut.text)


def without_jobs(text, address):
    """The template without the section's jobs scraping `address` (Unparsable: the section is not YAML)."""
    offset, jobs = _jobs(text)
    if jobs is None:
        return text
    part = text[offset:section(text)[1]]
    cuts = [_shifted(yamledit.item_cut(part, jobs, job), offset) for job in jobs.value if scrapes(job, address)]
    return yamledit.apply(text, cuts)


def without_keys(text, address, keys):
    """The template with `keys` removed from the section's jobs scraping `address`."""
    offset, jobs = _jobs(text)
    if jobs is None:
        return text
    part = text[offset:section(text)[1]]
    cuts = [_shifted(cut, offset) for job in jobs.value if scrapes(job, address)
            for cut in (yamledit.key_cut(part, job, key) for key in keys) if cut]
    return yamledit.apply(text, cuts)
