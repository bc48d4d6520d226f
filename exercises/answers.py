"""PromQL answers: a query the student saves in answers/<name>.promql. Its text goes to Prometheus as written
(Prometheus reads its comments and line breaks; a UTF-8 BOM an editor adds is the file's encoding, not the query's),
its syntax tree comes from a real PromQL parser (promql-parser), and it is judged on what it gives
(exercises/grading.py). Any unit a person would use is accepted (exercises/units.py)."""

from exercises.base import REPO, Text, missing, quoted

ANSWERS = REPO / "answers"


def read_text(path, shown):
    """(the file's text, findings): the text is None when the file is missing, not UTF-8 or holds no query."""
    if not path.is_file():
        return None, [missing(f"{shown} n'existe pas : écrivez-y votre requête (`mkdir -p answers` d'abord)",
                              f"{shown} does not exist: write your query into it (`mkdir -p answers` first)")]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, [missing(f"{shown} n'est pas du texte UTF-8 (octet {e.start}) : enregistrez-le en UTF-8",
                              f"{shown} is not UTF-8 text (byte {e.start}): save it as UTF-8")]
    except OSError as e:
        return None, [missing(f"{shown} ne se lit pas : {e.strerror}", f"{shown} cannot be read: {e.strerror}")]
    return text, []


def is_empty(text):
    """True when no line holds anything but white space or a comment (a line whose first character is #: no PromQL
    expression starts with one, so it is a comment wherever Prometheus meets it)."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def echo(shown, text):
    """The student's query, exactly as they wrote it (each line indented under the file name)."""
    lines = [line for line in text.strip("\n").splitlines()]
    if len(lines) == 1:
        return quoted(f"{shown} : ", f"{shown}: ", lines[0].strip())
    body = "\n      ".join(lines)
    return quoted(f"{shown} :", f"{shown}:", "\n      " + body)


def read(name):
    """(the query as written, findings so far): the query is None when there is nothing to run."""
    shown = f"answers/{name}"
    text, found = read_text(ANSWERS / name, shown)
    if text is None:
        return None, found
    if is_empty(text):
        return None, [missing(f"{shown} est vide : écrivez-y votre requête", f"{shown} is empty: write your query into it")]
    from exercises.base import Finding

    return text, [Finding(True, echo(shown, text), echo=True)]


def checked(name, judge):
    """The check of an exercise whose answer is the one query in answers/<name>: what reading it found, then
    `judge(ctx, expr)`'s findings."""
    def check(ctx):
        expr, found = read(name)
        return found if expr is None else found + judge(ctx, expr)
    return check


def removed(name):
    """The undo of an exercise whose only change is its answer file: that file goes (a copy is kept)."""
    return lambda ws: ws.remove(f"answers/{name}")


def tree(expr):
    """The query's syntax tree from promql-parser, or None (not installed, or syntax it does not know yet: Prometheus
    itself is the judge of what runs)."""
    try:
        import promql_parser
    except ImportError:
        return None
    try:
        return promql_parser.parse(expr)
    except (ValueError, TypeError):
        return None


def nodes(node):
    """Every node of a syntax tree, the root first."""
    if node is None:
        return
    yield node
    for part in ("expr", "lhs", "rhs", "param", "vector_selector"):
        child = getattr(node, part, None)
        if child is not None and not isinstance(child, (str, int, float)):
            yield from nodes(child)
    for child in getattr(node, "args", None) or []:
        yield from nodes(child)


def functions(root):
    """The names of the functions a query calls."""
    return {n.func.name for n in nodes(root) if type(n).__name__ == "Call"}


def metric_names(root):
    """The metric names a query selects (by name or by a __name__ equality)."""
    found = set()
    for n in nodes(root):
        if type(n).__name__ == "VectorSelector":
            if n.name:
                found.add(n.name)
            found |= {m.value for m in n.matchers.matchers if m.name == "__name__" and str(m.op).endswith("Equal")}
    return found


def label_values(root):
    """The values a query's selectors match labels against (equality and regex alike)."""
    return {m.value for n in nodes(root) if type(n).__name__ == "VectorSelector" for m in n.matchers.matchers}


def first_number(root, function):
    """The first argument of the first call to `function`, when it is a number (histogram_quantile's φ), or None."""
    for n in nodes(root):
        if type(n).__name__ == "Call" and n.func.name == function and n.args:
            value = n.args[0]
            while type(value).__name__ == "ParenExpr":
                value = value.expr
            if type(value).__name__ == "NumberLiteral":
                return value.val
    return None


def unit_list(units):
    return Text(", ".join(u.fr for u in units), ", ".join(u.en for u in units))
