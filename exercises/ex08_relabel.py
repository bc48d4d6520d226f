"""Exercise 8: relabeling — a label derived with relabel_configs, series dropped with metric_relabel_configs."""

import json

from exercises.base import Exercise, done, missing, say
from exercises.ex07_by_hand import OWN, _address, edit_own_job, hand_targets
from exercises.workspace import drop_keys
from provision import inventory

LABEL = "port"
DROPPED = "go_.*"


def _job_config(ctx, job):
    config = ctx.loaded_config()
    return next((j for j in config["scrape_configs"] if j["job_name"] == job), {})


def check(ctx):
    from labclient.prom import parse_time

    theirs = hand_targets(ctx)
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
    found = [done(f"votre job : {job}", f"your job: {job}")]
    derived = any(r.get("target_label") == LABEL for r in config.get("relabel_configs", []))
    if target["labels"].get(LABEL) != port or not derived:
        has = target["labels"].get(LABEL)
        why = (("elle est écrite à la main, pas tirée de __address__", "it is written by hand, not derived from __address__")
               if has == port else (f"la cible a {LABEL}={has or '(rien)'}", f"the target has {LABEL}={has or '(none)'}"))
        found.append(missing(f"il faut une étiquette {LABEL}={port} tirée de __address__ par relabel_configs ({why[0]})",
                             f"a label {LABEL}={port} derived from __address__ by relabel_configs is wanted ({why[1]})"))
    else:
        found.append(done(f"l'étiquette {LABEL}={port} vient de relabel_configs", f"the label {LABEL}={port} comes from relabel_configs"))
    # The series of the target's last scrape: those a scrape no longer brings linger for the 5-minute lookback
    # (after a reload, without a staleness marker), so each sample's time is compared with that scrape's.
    selector = ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(target["labels"].items()))
    scraped = parse_time(target["lastScrape"]).timestamp() - 1
    window = 2 * inventory.seconds(ctx.lab.scrape_interval)

    def in_last_scrape(series):
        """How many of these series the last scrape brought: a range selector gives each sample's own time."""
        return sum(s["values"][-1][0] >= scraped for s in ctx.query(f"{series}[{window}s]"))

    left = in_last_scrape(f'{{{selector}, __name__=~"{DROPPED}"}}')
    kept = in_last_scrape(f"{{{selector}}}")
    if left or not kept or not config.get("metric_relabel_configs"):
        n = left
        found.append(missing(f"les séries {DROPPED} de {job} sont encore là ({n}) : metric_relabel_configs agit sur les séries "
                             "après la collecte (relabel_configs, lui, agit sur les cibles)",
                             f"{job}'s {DROPPED} series are still there ({n}): metric_relabel_configs acts on series after the "
                             "scrape (relabel_configs acts on targets)"))
    else:
        found.append(done(f"plus aucune série {DROPPED} pour {job}, les autres restent",
                          f"no {DROPPED} series left for {job}, the others stay"))
    return found


def undo(ws):
    if edit_own_job(ws, lambda text, item: drop_keys(text, item, ["relabel_configs", "metric_relabel_configs"], within=OWN)):
        ws.provision(ws.lab().prometheus_node.name)


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
            "replacement '$1'. The targets page shows the labels before and after."),
        say(f"metric_relabel_configs : source_labels [__name__], regex {DROPPED}, action drop.",
            f"metric_relabel_configs: source_labels [__name__], regex {DROPPED}, action drop."),
    ),
    check=check,
    undo=undo,
)
