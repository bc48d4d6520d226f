"""Editing a student's YAML by meaning, keeping every other byte: the text is parsed (PyYAML's composer gives each
node's place in the text), the exercise's own additions are found by what they are (a node named node7, a job
scraping node6:9256, a rule named HighLoad), and only their text is cut out or replaced. Block and flow styles,
quotes, comments and blank lines elsewhere stay as the student wrote them.

Templates (templates/*.j2) are parsed with their Jinja tags masked by filler of the same length, so that every
place in the masked text is the same place in the template.
"""

import re
from dataclasses import dataclass

import yaml

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


class Unparsable(Exception):
    """The text is not YAML (once its Jinja tags are masked): nothing is changed; str() says where."""


def mask(text):
    """The text with each Jinja tag replaced by filler of its length (x for an expression, spaces for a statement or
    comment), newlines kept."""
    def fill(match):
        char = "x" if match.group(0).startswith("{{") else " "
        return "".join(c if c == "\n" else char for c in match.group(0))
    return JINJA.sub(fill, text)


def parse(text, template=False):
    """The root node of the (masked) text; Unparsable with the parser's own words."""
    try:
        return yaml.compose(mask(text) if template else text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise Unparsable(" ".join(str(e).split())) from None


def value(node):
    """The Python value of a node (scalars as strings)."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [value(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {value(k): value(v) for k, v in node.value}
    return None


def get(node, key):
    """The value node of `key` in a mapping node, or None."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def items(node):
    return node.value if isinstance(node, yaml.SequenceNode) else []


@dataclass(frozen=True)
class Cut:
    start: int
    end: int
    text: str = ""


def _end(node):
    """Where a node's own text ends: the end of its last scalar or flow collection (a block collection's end mark
    lies at the next token, past comments and blank lines that are not its own)."""
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end(last[1] if isinstance(last, tuple) else last)
    return node.end_mark.index


def _line_start(text, index):
    return text.rfind("\n", 0, index) + 1


def _line_end(text, index):
    """The end of the line `index` is on, newline included."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _only_blank_between(text, start, end):
    return text[start:end].strip() == ""


def item_cut(text, sequence, item):
    """The cut that removes `item` from `sequence`: whole lines in a block sequence (from its dash, and the blank lines
    just before it, to the end of its last line), the item and one comma in a flow one."""
    index = sequence.value.index(item)
    if sequence.flow_style:
        start, end = item.start_mark.index, item.end_mark.index
        if index + 1 < len(sequence.value):  # the comma after it and the space up to the next item
            end = sequence.value[index + 1].start_mark.index
        elif index > 0:  # the last: the comma before it
            start = _end(sequence.value[index - 1])
        return Cut(start, end)
    dash = text.rfind("-", 0, item.start_mark.index)
    start = _line_start(text, dash)
    while start > 0 and text[_line_start(text, start - 1):start].strip() == "" and _line_start(text, start - 1) < start:
        start = _line_start(text, start - 1)  # the blank lines that set it apart go with it
    return Cut(start, _line_end(text, _end(item)))


def key_cut(text, mapping, key):
    """The cut that removes `key` and its value from a mapping (whole lines in block style), or None."""
    for i, (k, v) in enumerate(mapping.value):
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            if mapping.flow_style:
                start, end = k.start_mark.index, _end(v)
                if i + 1 < len(mapping.value):
                    end = mapping.value[i + 1][0].start_mark.index
                elif i > 0:
                    start = _end(mapping.value[i - 1][1])
                return Cut(start, end)
            start = _line_start(text, k.start_mark.index)
            if not _only_blank_between(text, start, k.start_mark.index):  # the key shares its line (after a dash)
                start = k.start_mark.index
            return Cut(start, _line_end(text, _end(v)))
    return None


def replace_cut(node, new):
    """The cut that puts `new` (YAML text) in place of a scalar node."""
    return Cut(node.start_mark.index, node.end_mark.index, new)


def apply(text, cuts):
    """The text with every cut made (they must not overlap)."""
    for cut in sorted(set(cuts), key=lambda c: c.start, reverse=True):
        text = text[:cut.start] + cut.text + text[cut.end:]
    return text


def line_of(text, index):
    return text.count("\n", 0, index)
