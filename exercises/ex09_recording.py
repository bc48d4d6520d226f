"""Exercise 9: a recording rule, and a unit test of it that promtool runs."""

import json

import yaml

from exercises import answers, grading, units
from exercises.base import Exercise, done, missing, on_node, say
from exercises.rules import loaded, not_loaded, remove

RECORD = "node:memory_used:ratio"
FILE = "recording.rules.yml"
TEST = "9.test.yml"
QUESTION = grading.Question(
    datasets=("memory-a", "memory-b"),
    readings=(grading.Reading("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", {units.SHARE_ONLY: 1}),),
    what=say("la part de sa mémoire utilisée", "the share of its memory in use"))
# What each mutant of the rule gives instead (provision/rule_test_judge.py): a test passing with it cannot tell.
MUTANTS = {"complement": say("la part disponible (1 moins la vôtre)", "the share available (1 minus yours)"),
           "zero": say("toujours 0", "always 0"), "percent": say("un pourcentage (100 fois la vôtre)", "a percentage (100 times yours)")}


def _test_file():
    """(the parsed test file, findings)."""
    if not (answers.ANSWERS / TEST).is_file():
        return None, [missing(f"answers/{TEST} n'existe pas : écrivez-y un test de votre règle pour promtool test rules",
                              f"answers/{TEST} does not exist: write a test of your rule there for promtool test rules")]
    text, found = answers.read_text(answers.ANSWERS / TEST, f"answers/{TEST}")
    if text is None:
        return None, found
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return None, [missing(f"answers/{TEST} n'est pas du YAML valide : {str(e).splitlines()[0]}",
                              f"answers/{TEST} is not valid YAML: {str(e).splitlines()[0]}")]
    if not isinstance(spec, dict) or not spec.get("rule_files") or not spec.get("tests"):
        return None, [missing(f"answers/{TEST} doit nommer vos rule_files et avoir des tests:",
                              f"answers/{TEST} must name your rule_files and have tests:")]
    return spec, []


def _test_findings(ctx, node):
    spec, problems = _test_file()
    if problems:
        return problems
    guest = f"{ctx.guest_repo}/answers"
    # promtool as the node has it, whichever method installed it (both put it on root's PATH).
    proc = on_node(node, f"cd {ctx.guest_repo} && python3 -m provision.rule_test_judge {guest}/{TEST} {RECORD} promtool")
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = " / ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
        return [missing(f"le test answers/{TEST} n'a pas pu être lancé : {tail}", f"the test answers/{TEST} could not be run: {tail}")]
    if not result["passes"]:
        tail = " / ".join(result["output"].splitlines()[-4:])
        return [missing(f"promtool test rules answers/{TEST} échoue : {tail}", f"promtool test rules answers/{TEST} fails: {tail}")]
    if not result["holds_record"]:
        return [missing(f"promtool test rules answers/{TEST} passe, mais ses rule_files ne contiennent pas {RECORD} : il ne "
                        "teste pas votre règle", f"promtool test rules answers/{TEST} passes, but its rule_files hold no "
                        f"{RECORD}: it does not test your rule")]
    if result.get("unloaded"):
        return [missing("une variante fausse de votre règle ne se charge pas (promtool check rules) : le test ne peut être "
                        "jugé. Relisez la règle (une expression sur une ligne, ou en bloc |)", "a wrong variant of your rule "
                        "does not load (promtool check rules): the test cannot be judged. Read the rule again (an expression "
                        "on one line, or a | block)")]
    if result["survivors"]:
        what = MUTANTS[result["survivors"][0]]
        return [missing(f"votre test passe aussi quand la règle donne {what.fr} : il ne la distingue pas d'une règle fausse. "
                        "Attendez des valeurs précises (exp_samples) sur des séries où une erreur se verrait",
                        f"your test also passes when the rule gives {what.en}: it cannot tell it from a wrong rule. Expect "
                        "exact values (exp_samples) on series where a mistake would show")]
    return [done(f"promtool test rules answers/{TEST} passe, et échoue si la règle se trompe",
                 f"promtool test rules answers/{TEST} passes, and fails when the rule is wrong")]


def check(ctx):
    node = ctx.lab.prometheus_node.name
    rule = loaded(ctx, "record", RECORD)
    if not rule:
        return [not_loaded("record", RECORD, FILE, node)]
    found = [done(f"Prometheus a chargé {RECORD} ({rule['file']})", f"Prometheus loaded {RECORD} ({rule['file']})")]
    found += judge(ctx, rule["query"])
    return found + _test_findings(ctx, node)


def judge(ctx, expr):
    """The rule's expression on the data sets: the share of memory in use, per node."""
    return grading.judge(ctx, QUESTION, expr)


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
    judges={"rule": judge},
)
