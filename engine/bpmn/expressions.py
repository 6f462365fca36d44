"""Camunda expressions (JUEL/EL) and timer literals translated to Python when a model is deployed.

Process owners write ``${approved}``, ``#{!twitter}``, ``${amount > 1000 && urgent}`` or plain Python
(``amount > 1000 and urgent``). Everything is turned into one Python expression here, before
SpiffWorkflow sees the model, so that a bad expression is a deploy error naming its element.
"""

from __future__ import annotations

import ast
import re

_EL_WHOLE = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)
_EL_PART = re.compile(r"[$#]\{(.*?)\}", re.S)
_ISO_TIMER = re.compile(
    r"^(R\d*/)?"  # repetitions
    r"(P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?"  # a duration
    r"|\d{4}-\d{2}-\d{2}(T[\d:.,]+(Z|[+-]\d{2}:?\d{2})?)?)"  # or a date-time
    r"(/.*)?$",
    re.I,
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|!|<|>|\+|-|\*|/|%|\(|\)|\[|\]|\.|,|\?|:)
    """,
    re.X,
)

_WORDS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "null": "None",
    "true": "True",
    "false": "False",
    "instanceof": None,  # Java only: refused
}
_OPS = {"&&": "and", "||": "or", "!": "not"}


class ExpressionError(ValueError):
    """An expression that cannot be translated to Python or does not parse."""


def is_el(text: str) -> bool:
    """True if the text contains a JUEL/EL expression (``${...}`` or ``#{...}``)."""
    return bool(_EL_PART.search(text or ""))


def to_python(text: str) -> str:
    """Translate an expression to Python; plain Python passes through after a syntax check."""
    source = (text or "").strip()
    if not source:
        raise ExpressionError("the expression is empty")
    whole = _EL_WHOLE.match(source)
    if whole and not _EL_PART.search(whole.group(1)):
        python = _translate_el(whole.group(1))
    elif is_el(source):
        python = _translate_composite(source)
    else:
        python = source
    check_syntax(python)
    return python


def check_syntax(python: str) -> None:
    """Raise ExpressionError unless the text is one Python expression."""
    try:
        ast.parse(python, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression: {exc.msg} in {python!r}") from None


def literal_or_expression(text: str) -> tuple[str, bool]:
    """Camunda's rule for assignee and candidate attributes: EL is an expression, anything else literal.

    Returns the Python expression and whether it is an expression (False: a literal string).
    """
    if is_el(text):
        return to_python(text), True
    return repr(text.strip()), False


def timer_to_python(text: str) -> str:
    """Turn a timer definition (ISO 8601 literal, EL or Python) into a Python expression."""
    source = (text or "").strip()
    if _ISO_TIMER.match(source):
        return repr(source)
    if re.fullmatch(r"[\d*?/,\-LW#\s]+", source) and len(source.split()) >= 5:
        raise ExpressionError(f"cron timers are not supported ({source!r}); use ISO 8601, e.g. R/P1D")
    return to_python(source)


def _translate_composite(source: str) -> str:
    """``Dear ${name}, ...`` -> ``'Dear ' + str(name) + ', ...'``."""
    parts: list[str] = []
    pos = 0
    for match in _EL_PART.finditer(source):
        if match.start() > pos:
            parts.append(repr(source[pos : match.start()]))
        parts.append(f"str({_translate_el(match.group(1))})")
        pos = match.end()
    if pos < len(source):
        parts.append(repr(source[pos:]))
    return " + ".join(parts)


def _tokens(body: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if match is None:
            raise ExpressionError(f"cannot read {body[pos:]!r} in expression {body!r}")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, match.group()))
        pos = match.end()
    return tokens


def _translate_el(body: str) -> str:
    tokens = _tokens(body)
    if not tokens:
        raise ExpressionError("the expression is empty")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        previous = tokens[i - 1][1] if i else ""
        member = previous == "."  # a.eq is attribute 'eq', not the operator
        if kind == "name" and value == "empty" and not member:
            operand, i = _operand(tokens, i + 1)
            out.append(f"is_empty({_translate_el(operand)})")
            continue
        if kind == "name" and value in _WORDS and not member:
            word = _WORDS[value]
            if word is None:
                raise ExpressionError(f"'{value}' is not supported in expressions")
            out.append(word)
        elif kind == "op" and value in _OPS:
            out.append(_OPS[value])
        elif kind == "op" and value in ("?", ":"):
            raise ExpressionError("the ?: operator is not supported; use 'x if condition else y'")
        else:
            out.append(value)
        i += 1
    return _join(out)


def _operand(tokens: list[tuple[str, str]], start: int) -> tuple[str, int]:
    """The source of one primary expression (name with members, calls, indexes; or a group)."""
    depth = 0
    i = start
    pieces: list[str] = []
    while i < len(tokens):
        _kind, value = tokens[i]
        if value in ("(", "["):
            depth += 1
        elif value in (")", "]"):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and pieces and value != "." and pieces[-1] != ".":
            break  # the operand ended: what follows is an operator or another term
        pieces.append(value)
        i += 1
    if not pieces:
        raise ExpressionError("'empty' needs an operand")
    return " ".join(pieces), i


def _join(words: list[str]) -> str:
    text = ""
    for word in words:
        if not text:
            text = word
        elif word in (".", ",", ")", "]") or text.endswith((".", "(", "[")):
            text += word
        elif word in ("(", "[") and (text[-1].isalnum() or text[-1] in "_)]"):
            text += word  # a call or an index, not a new group
        else:
            text += " " + word
    return text
