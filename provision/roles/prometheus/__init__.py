"""prometheus: the monitoring server; scrapes itself and every exporter in lab.yaml."""

import os
import shutil

from provision import credentials, datasets, features, install, steps, web_ui
from provision.model import PROMETHEUS_JOB, Target
from provision.render import Rendered, at, put
from provision.roles import thanos

NAME = "prometheus"
SERVICE = NAME
CONFIG = "/etc/prometheus/prometheus.yml"
RULES = "/etc/prometheus/rules/promlab.rules.yml"
DATA = "/var/lib/prometheus"
REMOTE_WRITE_PASSWORD = "/etc/prometheus/remote-write-password"  # the global view's, for remote_write
ALERTMANAGER_PASSWORD = "/etc/prometheus/alertmanager-password"  # Alertmanager's API: alerts sent, its metrics scraped
PASSWORDS = (REMOTE_WRITE_PASSWORD, ALERTMANAGER_PASSWORD)
# The exercises' data sets (provision/datasets.py), served read-only by a second Prometheus on the first
# Prometheus node: the checks grade answers on them.
DATASETS = "prometheus-datasets"
DATASETS_CONFIG = "/etc/prometheus/datasets.yml"
DATASETS_DATA = f"{DATA}/datasets"
DATASETS_STAMP = f"{DATASETS_DATA}/promlab-series.sha256"  # the sha256 of the series the blocks were built from (Prometheus
#                                                            ignores a file that is not a block; it goes with the blocks)


def services(lab, node):
    """(unit, port, listen address): every interface, so that the forwarded port reaches it; and Thanos'
    sidecar and store gateway when Thanos is the global view."""
    found = [(SERVICE, lab.components[NAME]["port"], "0.0.0.0")] + thanos.beside_services(lab, node)
    if node.name == lab.prometheus_node.name:
        found.append((DATASETS, lab.components[NAME]["datasets_port"], node.ip))
    return found


def files(lab, node):
    component = lab.components[NAME]
    blackbox = lab.endpoints("blackbox_exporter")
    context = {"lab": lab, "node": node, "port": component["port"], "jobs": lab.scrape_jobs(), "alerts": lab.alerts,
               "at": at(services(lab, node)),
               "probe_jobs": lab.probe_jobs(), "blackbox": blackbox[0].address if blackbox else None,
               "alertmanagers": [e.address for e in lab.endpoints("alertmanager")],
               "self_targets": [t for t in lab.targets() if t.job == PROMETHEUS_JOB],
               "programs": install.paths(component, lab.install_method),
               "web_ui_flag": web_ui.served(lab), "lab_id": credentials.lab_id(), "feature_flags": feature_flags(lab),
               "replica_label": lab.replica_label, "remote_write": lab.remote_write, "thanos": lab.thanos_beside(node),
               "remote_write_user": credentials.REMOTE_WRITE_USER, "remote_write_password": REMOTE_WRITE_PASSWORD,
               "alertmanager_user": credentials.ALERTMANAGER_USER, "alertmanager_password": ALERTMANAGER_PASSWORD}
    found = [
        Rendered(RULES, "alert_rules.yml.j2", context, group=NAME, mode=0o640),
        Rendered(CONFIG, "prometheus.yml.j2", context, group=NAME, mode=0o640),
        Rendered("/etc/systemd/system/prometheus.service", "prometheus.service.j2", context),
    ]
    if lab.remote_write:
        found.append(Rendered(REMOTE_WRITE_PASSWORD, "", {}, content=credentials.remote_write()[1] + "\n", group=NAME,
                              mode=0o640, secret=True))
    if lab.authenticated:
        found.append(Rendered(ALERTMANAGER_PASSWORD, "", {}, content=credentials.alertmanager()[1] + "\n", group=NAME,
                              mode=0o640, secret=True))
    if node.name == lab.prometheus_node.name:
        datasets_context = dict(context, port=lab.components[NAME]["datasets_port"], data=DATASETS_DATA, config=DATASETS_CONFIG,
                                feature_flags=lab.prometheus_release.flags("native_histograms", "info_function"))
        found += [Rendered(DATASETS_CONFIG, "prometheus-datasets.yml.j2", {}, group=NAME, mode=0o640),
                  Rendered(f"/etc/systemd/system/{DATASETS}.service", "prometheus-datasets.service.j2", datasets_context)]
    return found + thanos.beside_files(lab, node)


def feature_flags(lab):
    """The lab's Prometheus' flags for what Prometheus 3 brought (provision/features.py): info() for the students. Never
    native histograms on the lab's own: on 3.x before 3.9 the flag would scrape Prometheus' own request durations as
    native and drop the classic buckets exercise 4 reads."""
    return lab.prometheus_release.flags("info_function")


def check_config(run, promtool, path):
    """promtool must accept a new configuration before it replaces the old one."""
    steps.checked_by(run, promtool, "check", "config", target=CONFIG, keeps="Prometheus")(path)


def apply(run, lab, node, cache):
    programs, new_binary = install.install(run, NAME, lab.components[NAME], lab.install_method, cache)
    steps.user(run, NAME, home=DATA)
    steps.directory(run, "/etc/prometheus", "root", NAME, 0o750)
    steps.directory(run, "/etc/prometheus/rules", "root", NAME, 0o750)
    steps.directory(run, DATA, NAME, NAME, 0o750)
    rules, config, unit, *extra = files(lab, node)
    # The password files first: promtool's config check reads the files the config names.
    password_changed = any([put(run, item) for item in extra if item.path in PASSWORDS])
    datasets_files = [item for item in extra if item.path in (DATASETS_CONFIG, f"/etc/systemd/system/{DATASETS}.service")]
    extra = [item for item in extra if item not in datasets_files]
    promtool_rules = steps.checked_by(run, programs["promtool"], "check", "rules", target=RULES, keeps="Prometheus")
    rules_changed = put(run, rules, validate=promtool_rules) | password_changed
    config_changed = put(run, config, validate=lambda path: check_config(run, programs["promtool"], path))
    unit_changed = put(run, unit)
    steps.service(run, SERVICE, restart=unit_changed or new_binary, reload=config_changed or rules_changed)
    web_ui.apply(run, lab, programs, cache)  # read from disk at each request: nothing to restart
    if datasets_files:
        _apply_datasets(run, lab, programs, datasets_files, new_binary)
    if lab.thanos_beside(node):
        thanos.apply_beside(run, lab, node, cache, [item for item in extra if item.path not in PASSWORDS])


def _apply_datasets(run, lab, programs, items, new_binary):
    """The exercises' data sets as TSDB blocks, rebuilt only when their series change, served by their own unit."""
    model = lab.prometheus_release  # what lab.yaml installs; the binary's own version where it says one
    version = install.installed_version(run, run.path(programs["prometheus"]))
    release = features.Release(features.parse(version), model.build) if version else model
    digest = datasets.digest(lab, release.major) + "\n"
    stamp, data = run.path(DATASETS_STAMP), run.path(DATASETS_DATA)
    built = stamp.is_file() and stamp.read_text() == digest
    rebuilt = False
    if built:
        run.report(False, f"datasets {DATASETS_DATA}", "built from the data sets of this lab")
    elif run.check:
        rebuilt = run.would(f"datasets {DATASETS_DATA}", "rebuilt from provision/datasets.py")
    else:
        staging = data.with_name("datasets.new")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            datasets.build_blocks(lab, release, programs, staging, run=lambda cmd, **_: run.sh(*cmd), spawn=run.spawn)
        except RuntimeError as e:
            raise steps.StepError(f"the data sets could not be built: {e}") from None
        steps.stopped(run, DATASETS)
        shutil.rmtree(data, ignore_errors=True)
        os.replace(staging, data)
        run.sh("chown", "-R", f"{NAME}:{NAME}", str(data))
        run.path(DATASETS_STAMP).write_text(digest)
        rebuilt = run.report(True, f"datasets {DATASETS_DATA}", "built from provision/datasets.py (promtool tsdb "
                                                                 "create-blocks-from, native histograms by remote write)")
    config, unit = items
    config_changed = put(run, config, validate=steps.checked_by(run, programs["promtool"], "check", "config",
                                                                   target=DATASETS_CONFIG, keeps=DATASETS))
    unit_changed = put(run, unit)
    steps.service(run, DATASETS, restart=unit_changed or rebuilt or new_binary or config_changed)


def hand_targets(lab):
    """The targets added by hand in templates/prometheus.yml.j2's own section (jobs the lab does not generate),
    as Targets; the node is the target's `node` label, or '(no node label)'."""
    import yaml

    config = yaml.safe_load(next(f for f in files(lab, lab.prometheus_node) if f.path == CONFIG).text())
    return [Target(job["job_name"], sc.get("labels", {}).get("node", "(no node label)"), address)
            for job in config["scrape_configs"] if job["job_name"] not in lab.generated_jobs()
            for sc in job.get("static_configs", []) for address in sc["targets"]]
