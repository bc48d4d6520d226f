"""What a silence silences, asked of Alertmanager's own matching: its matchers become one route each of a routing
tree, and `amtool config routes test` on the lab's Alertmanager node says which routes (silences) each alert label
set meets. Alertmanager matches silences and routes with the same matchers (=, !=, =~, !~, regular expressions
anchored at both ends, a missing label read as the empty string), so no home-made imitation of it judges a silence."""

import base64
import shlex

import yaml

from exercises.base import on_node


def matcher_text(matcher):
    """A silence's matcher ({name, value, isRegex, isEqual}) as Alertmanager's configuration writes it, its value
    quoted: name=~"value"."""
    equal, regex = matcher.get("isEqual", True), matcher.get("isRegex", False)
    op = ("=~" if regex else "=") if equal else ("!~" if regex else "!=")
    return f"{matcher['name']}{op}{_quoted(matcher['value'])}"


def _quoted(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def routing_tree(silences):
    """An Alertmanager configuration whose route s<i> matches exactly what silence i silences."""
    routes = [{"receiver": f"s{i}", "continue": True, "matchers": [matcher_text(m) for m in s["matchers"]]}
              for i, s in enumerate(silences)]
    receivers = [{"name": "none"}] + [{"name": f"s{i}"} for i in range(len(silences))]
    return yaml.safe_dump({"route": {"receiver": "none", "routes": routes}, "receivers": receivers}, sort_keys=False)


def script(silences, label_sets):
    """The shell script that asks amtool, one line per label set: the silences (s<i>) it meets, or none."""
    tree = base64.b64encode(routing_tree(silences).encode()).decode()
    lines = ["set -e", "f=$(mktemp)", f"echo {tree} | base64 -d > \"$f\""]
    for labels in label_sets:
        args = " ".join(shlex.quote(f"{name}={_quoted(value)}") for name, value in sorted(labels.items()))
        lines.append(f"amtool config routes test --config.file=\"$f\" {args} 2>/dev/null || echo '?'; echo")
    lines.append('rm -f "$f"')
    return "\n".join(lines) + "\n"


def silenced(node, silences, label_sets):
    """[{indexes of the silences that silence it}] for each label set, as the Alertmanager on `node` matches."""
    if not silences or not label_sets:
        return [set() for _ in label_sets]
    proc = on_node(node, script(silences, label_sets), check=True)
    answers = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if len(answers) != len(label_sets) or "?" in answers:
        raise RuntimeError(f"amtool on {node} did not judge every label set: {proc.stdout.strip()!r} {proc.stderr.strip()!r}")
    return [{int(r[1:]) for r in answer.split(",") if r.startswith("s")} for answer in answers]
