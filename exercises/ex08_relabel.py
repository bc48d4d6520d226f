"""Exercise 8: relabeling — a label derived with relabel_configs, series dropped with metric_relabel_configs."""

import json

from exercises import own_targets, relabel
from exercises.base import Exercise, done, missing, say
from exercises.ex07_by_hand import _address, active_hand_targets, edit_template
from labclient import http

LABEL = "port"
DROPPED = "go_"
OTHER_PORT = "19256"  # an address the check replays the job's relabelling on: a derived label follows it


def _job_config(ctx, job):
    config = ctx.loaded_config()
    return next((j for j in config["scrape_configs"] if j["job_name"] == job), {})


def _derived(ctx, config, target):
    """True when the job's relabel_configs give the label the port of whatever address (Prometheus' promtool applies
    them to the target moved to another port), None when promtool cannot say (the live label is then trusted)."""
    discovered = dict(target.get("discoveredLabels", {}))
    host = discovered.get("__address__", _address(target)).rsplit(":", 1)[0]
    static = {k: v for k, v in discovered.items() if not k.startswith("__") and k != "job"}
    try:
        after = relabel.relabelled(ctx.lab.prometheus_node.name, config, f"{host}:{OTHER_PORT}", static)
    except relabel.Unanswered:
        return None
    return bool(after) and after.get(LABEL) == OTHER_PORT


def _port_label(ctx, config, target, port):
    has = target["labels"].get(LABEL)
    derived = _derived(ctx, config, target)
    if has == port and derived is not False:
        return done(f"l'étiquette {LABEL}={port} vient de __address__ (relabel_configs)",
                    f"the label {LABEL}={port} comes from __address__ (relabel_configs)")
    if has == port:
        return missing(f"la cible a bien {LABEL}={port}, mais écrit tel quel : sur une cible d'un autre port, il vaudrait encore "
                       f"{port}. Tirez-le de __address__ avec relabel_configs",
                       f"the target has {LABEL}={port}, but written as it is: on a target of another port it would still say "
                       f"{port}. Derive it from __address__ with relabel_configs")
    return missing(f"il faut une étiquette {LABEL}={port} tirée de __address__ par relabel_configs (la cible a "
                   f"{LABEL}={has or '(rien)'})", f"a label {LABEL}={port} derived from __address__ by relabel_configs is wanted "
                   f"(the target has {LABEL}={has or '(none)'})")


def _samples(ctx, target, metric):
    """The value of a scrape's own series (scrape_samples_scraped, ..._post_metric_relabeling) for the target, or None."""
    selector = ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(target["labels"].items()))
    result = ctx.query(f"{metric}{{{selector}}}")
    return float(result[0]["value"][1]) if result else None


def _exposed(target):
    """(series the exporter exposes now, those whose name starts with go_), read from its own page; None unreachable."""
    try:
        page = http.get(target["scrapeUrl"]).text
    except http.Unreachable:
        return None
    names = [line.split("{")[0].split(" ")[0] for line in page.splitlines() if line and not line.startswith("#")]
    return len(names), sum(n.startswith(DROPPED) for n in names)


def _dropped(ctx, target, job):
    """Prometheus counts, per scrape, the samples it took and those kept after metric_relabel_configs: the difference
    must be the exporter's go_* series, no more, no less."""
    scraped = _samples(ctx, target, "scrape_samples_scraped")
    kept = _samples(ctx, target, "scrape_samples_post_metric_relabeling")
    exposed = _exposed(target)
    if scraped is None or kept is None or exposed is None:
        return missing(f"pas encore de collecte de {job} à comparer : attendez un intervalle", f"no scrape of {job} to "
                       "compare yet: wait one interval")
    total, go = exposed
    dropped = scraped - kept
    if dropped == 0 and go:
        return missing(f"les {go} séries {DROPPED}* de {job} sont encore là : metric_relabel_configs agit sur les séries après "
                       "la collecte (relabel_configs, lui, agit sur les cibles)", f"{job}'s {go} {DROPPED}* series are still "
                       "there: metric_relabel_configs acts on series after the scrape (relabel_configs acts on targets)")
    slack = max(2, 0.02 * total)
    if abs(dropped - go) > slack:
        what = ("plus", "more") if dropped > go else ("moins", "fewer")
        return missing(f"la collecte de {job} perd {dropped:g} séries, l'exporter en a {go} dont le nom commence par {DROPPED} : "
                       f"votre règle en retire {what[0]} que celles-là", f"the scrape of {job} loses {dropped:g} series, the "
                       f"exporter has {go} whose name starts with {DROPPED}: your rule drops {what[1]} than those")
    return done(f"plus aucune série {DROPPED}* pour {job} ({dropped:g} retirées à chaque collecte), les autres restent",
                f"no {DROPPED}* series left for {job} ({dropped:g} dropped at each scrape), the others stay")


def check(ctx):
    theirs = active_hand_targets(ctx)
    if not theirs:
        return [missing("faites d'abord l'exercice 7 : ce qui suit porte sur votre cible écrite à la main",
                        "do exercise 7 first: this one works on your hand-written target")]
    mine = [t for t in theirs if t["health"] == "up"]
    if not mine:
        t = theirs[0]
        return [missing(f"votre cible {_address(t)} est {t['health']} : {t['lastError'] or 'pas encore collectée depuis le rechargement'}",
                        f"your target {_address(t)} is {t['health']}: {t['lastError'] or 'not scraped yet since the reload'}")]
    target = mine[0]
    job, port = target["labels"]["job"], _address(target).rsplit(":", 1)[1]
    config = _job_config(ctx, job)
    found = [done(f"votre job : {job}", f"your job: {job}"), _port_label(ctx, config, target, port)]
    found.append(_dropped(ctx, target, job))
    return found


def undo(ws):
    if edit_template(ws, lambda text, address: own_targets.without_keys(text, address, ["relabel_configs", "metric_relabel_configs"])):
        ws.provision(ws.lab_now().prometheus_node.name)


EXERCISE = Exercise(
    number=8,
    level=say("difficile", "hard"),
    title=say("Le relabeling", "Relabeling"),
    learn=say("relabel_configs (les cibles, avant la collecte) et metric_relabel_configs (les séries, après)",
              "relabel_configs (targets, before the scrape) and metric_relabel_configs (series, after it)"),
    builds_on=7,
    hints=(
        say("Les deux se placent dans votre job de l'exercice 7, au même niveau que static_configs.",
            "Both go in your job from exercise 7, at the same level as static_configs."),
        say("relabel_configs : source_labels [__address__], une regex avec un groupe pour le port, target_label, "
            "replacement '$1'. La page des cibles montre les étiquettes avant et après.",
            "relabel_configs: source_labels [__address__], a regex with a group for the port, target_label, "
            "replacement '$1'. The targets page shows the labels before and after.", page="targets"),
        say(f"metric_relabel_configs : source_labels [__name__], une regex sur les noms qui commencent par {DROPPED} "
            "(Prometheus l'ancre au début et à la fin), action drop.",
            f"metric_relabel_configs: source_labels [__name__], a regex on the names starting with {DROPPED} (Prometheus "
            "anchors it at both ends), action drop."),
    ),
    check=check,
    undo=undo,
)
