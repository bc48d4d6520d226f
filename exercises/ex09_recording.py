"""Exercise 9: a recording rule, and a unit test of it that promtool runs."""

import yaml

from exercises import answers
from exercises.base import Exercise, done, missing, on_node, say
from exercises.rules import loaded, not_loaded, remove

RECORD = "node:memory_used:ratio"
FILE = "recording.rules.yml"
TEST = "9.test.yml"


def _test_file():
    """(the parsed test file, findings)."""
    path = answers.ANSWERS / TEST
    if not path.is_file():
        return None, [missing(f"answers/{TEST} n'existe pas : écrivez-y un test de votre règle pour promtool test rules",
                              f"answers/{TEST} does not exist: write a test of your rule there for promtool test rules")]
    try:
        spec = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        return None, [missing(f"answers/{TEST} n'est pas du YAML valide : {str(e).splitlines()[0]}",
                              f"answers/{TEST} is not valid YAML: {str(e).splitlines()[0]}")]
    tests = [t for t in (spec or {}).get("tests", []) or [] if isinstance(t, dict)]
    exprs = [e for t in tests for e in t.get("promql_expr_test", []) or [] if isinstance(e, dict)]
    if not (spec or {}).get("rule_files") or not any(RECORD in str(e.get("expr", "")) and e.get("exp_samples") for e in exprs):
        return None, [missing(f"answers/{TEST} doit nommer vos rule_files et avoir un promql_expr_test sur {RECORD} avec des "
                              "exp_samples attendus (un test qui n'attend rien ne prouve rien)",
                              f"answers/{TEST} must name your rule_files and have a promql_expr_test on {RECORD} with expected "
                              "exp_samples (a test that expects nothing proves nothing)")]
    return spec, []


def check(ctx):
    node = ctx.lab.prometheus_node.name
    rule = loaded(ctx, "record", RECORD)
    if not rule:
        return [not_loaded("record", RECORD, FILE, node)]
    found = [done(f"Prometheus a chargé {RECORD} ({rule['file']})", f"Prometheus loaded {RECORD} ({rule['file']})")]
    recorded, problems = answers.by_node(ctx, ctx.fresh(RECORD))
    if problems:
        return found + problems
    share = {s["metric"]["node"]: 1 - answers.value(s) for s in
             ctx.query("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes")}
    if not answers.scale_of(recorded, share, {answers.SHARE_ONLY: 1}, rel=0, absolute=0.02):
        n = sorted(recorded)[0]
        found.append(missing(f"{RECORD} vaut {recorded[n]:.3g} pour {n}, sa mémoire utilisée est {share[n]:.3g} (part, 0 à 1)",
                             f"{RECORD} is {recorded[n]:.3g} for {n}, its memory in use is {share[n]:.3g} (share, 0 to 1)"))
    else:
        found.append(done(f"{RECORD} donne la part de mémoire utilisée de chaque nœud",
                          f"{RECORD} gives every node's share of memory in use"))
    spec, problems = _test_file()
    if problems:
        return found + problems
    guest = f"{ctx.guest_repo}/answers"
    result = on_node(node, f"cd {guest} && promtool test rules {TEST}")
    if result.returncode != 0:
        tail = " / ".join((result.stdout + result.stderr).strip().splitlines()[-4:])
        return found + [missing(f"promtool test rules answers/{TEST} échoue : {tail}", f"promtool test rules answers/{TEST} fails: {tail}")]
    return found + [done(f"promtool test rules answers/{TEST} passe", f"promtool test rules answers/{TEST} passes")]


def undo(ws):
    ws.remove(f"answers/{TEST}")
    remove(ws, "record", RECORD, FILE)


EXERCISE = Exercise(
    number=9,
    level=say("difficile", "hard"),
    title=say("Une règle d'enregistrement et son test", "A recording rule and its test"),
    learn=say("précalculer une requête (record), et la tester avec promtool test rules",
              "precomputing a query (record), and testing it with promtool test rules"),
    hints=(
        say(f"Une règle d'enregistrement a record: (le nom de la nouvelle série, ici {RECORD}) et expr:. Le fichier "
            "promlab.rules.yml du lab montre la forme des groupes.",
            f"A recording rule has record: (the name of the new series, here {RECORD}) and expr:. The lab's "
            "promlab.rules.yml shows how groups look."),
        say("Un test de règles : rule_files (le chemin de votre fichier de règles), evaluation_interval, puis tests: avec "
            "input_series (des séries inventées, p. ex. values: '512+0x10') et promql_expr_test.",
            "A rules test: rule_files (the path of your rules file), evaluation_interval, then tests: with input_series "
            "(made-up series, e.g. values: '512+0x10') and promql_expr_test."),
        say(f"Dans promql_expr_test : expr: {RECORD}, eval_time: 5m, et exp_samples avec les labels et la valeur que vous "
            "attendez de vos séries inventées. Lancez-le vous-même : promtool test rules 9.test.yml.",
            f"In promql_expr_test: expr: {RECORD}, eval_time: 5m, and exp_samples with the labels and the value you expect "
            "from your made-up series. Run it yourself: promtool test rules 9.test.yml."),
    ),
    check=check,
    undo=undo,
)
