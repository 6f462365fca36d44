"""Camunda expressions (JUEL/EL) and timer literals translated to Python when a model is deployed.

Process owners write ``${approved}``, ``#{!twitter}``, ``${amount > 1000 && urgent}`` or plain Python
(``amount > 1000 and urgent``). Everything is turned into one Python expression here, before
SpiffWorkflow sees the model, so that a bad expression is a deploy error naming its element.
"""

from __future__ import annotations

import ast
import re

from engine.bpmn import juel

_ISO_TIMER = re.compile(
    r"^(R\d*/)?"  # repetitions
    r"(P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?"  # a duration
    r"|\d{4}-\d{2}-\d{2}(T[\d:.,]+(Z|[+-]\d{2}:?\d{2})?)?)"  # or a date-time
    r"(/.*)?$",
    re.I,
)
_EL_START = re.compile(r"[$#]\{")


class ExpressionError(ValueError):
    """An expression that cannot be translated to Python or does not parse."""


def is_el(text: str) -> bool:
    """True if the text contains a JUEL/EL expression (``${...}`` or ``#{...}``)."""
    return bool(_EL_START.search(text or ""))


def to_python(text: str) -> str:
    """Translate an expression to Python; plain Python passes through after a syntax check."""
    source = (text or "").strip()
    if not source:
        raise ExpressionError("the expression is empty")
    if is_el(source):
        parts = _split_composite(source)
        try:
            if len(parts) == 1 and parts[0][0] == "el":
                python = juel.translate(parts[0][1])
            else:
                python = " + ".join(
                    f"el_str({juel.translate(text)})" if kind == "el" else repr(text) for kind, text in parts
                )
        except juel.JuelError as exc:
            raise ExpressionError(str(exc)) from None
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


def _split_composite(source: str) -> list[tuple[str, str]]:
    """``Dear ${name}, hi`` -> [("text", "Dear "), ("el", "name"), ("text", ", hi")]."""
    parts: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        match = _EL_START.search(source, pos)
        if match is None:
            parts.append(("text", source[pos:]))
            break
        if match.start() > pos:
            parts.append(("text", source[pos : match.start()]))
        end = _closing_brace(source, match.end())
        parts.append(("el", source[match.end() : end]))
        pos = end + 1
    return parts


def _closing_brace(source: str, start: int) -> int:
    """The index of the ``}`` that ends the expression starting at ``start`` (quotes respected)."""
    depth, quote, i = 0, "", start
    while i < len(source):
        char = source[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise ExpressionError(f"the expression {source!r} has no closing '}}'")
