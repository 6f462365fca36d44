"""A JUEL (Java Unified Expression Language) parser that writes the same expression as Python.

Covers the whole JUEL expression grammar that makes sense over process data: literals, the word and
symbol operators (``eq ne lt gt le ge and or not div mod empty``, ``== != < > <= >= && || !``),
``a ? b : c``, member access on maps and objects (``a.b``, ``a['b']``), method and function calls
(``dateTime().plusWeeks(1)``) and parentheses. Member access goes through ``el_get``, which reads a
key of a map (JUEL gives ``null`` for a missing key) or a public attribute of an object. Everything
else is refused with a message naming what is not supported, so a bad expression is a deploy error.
"""

from __future__ import annotations

import keyword
import re

from engine.bpmn.descent import Descent, Token, tokenize

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|->|[!<>+\-*/%()\[\].,?:])
    """,
    re.X,
)
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_RESERVED = {"instanceof", "and", "or", "not", "empty", *_WORD_OPS, *_LITERALS}
_ESCAPES = {"\\\\": "\\", "\\'": "'", '\\"': '"'}


class JuelError(ValueError):
    """A JUEL expression that does not parse, or uses something we do not support."""


def _tokenize(body: str) -> list[Token]:
    """Split an expression body (without the ``${ }``) into tokens."""
    return tokenize(_TOKEN, body, lambda rest: JuelError(f"cannot read {rest!r} in expression {body!r}"))


def translate(body: str) -> str:
    """The Python expression equal to one JUEL expression body."""
    parser = _Parser(_tokenize(body), body)
    python = parser.expression()
    left = parser.peek()
    if left.kind != "end":
        if left.text in _RESERVED:
            raise JuelError(f"{left.text!r} is not supported in expressions")
        raise JuelError(f"unexpected {left.text!r} in expression {body!r}")
    return python


class _Parser(Descent):
    """Recursive descent over JUEL's precedence levels; each method returns Python source."""

    error = JuelError
    place = "in expression"

    def expression(self) -> str:
        condition = self.binary(0)
        if self.accept("?") is None:
            return condition
        then = self.expression()
        self.expect(":")
        otherwise = self.expression()
        return f"({then} if {condition} else {otherwise})"

    _LEVELS: tuple[dict[str, str], ...] = (
        {"||": "or", "or": "or"},
        {"&&": "and", "and": "and"},
        {"==": "==", "!=": "!=", "eq": "==", "ne": "!="},
        {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="},
        {"+": "+", "-": "-"},
        {"*": "*", "/": "/", "div": "/", "%": "%", "mod": "%"},
    )

    def binary(self, level: int) -> str:
        if level == len(self._LEVELS):
            return self.unary()
        operators = self._LEVELS[level]
        left = self.binary(level + 1)
        while True:
            op = self.accept(*operators)
            if op is None:
                return left
            right = self.binary(level + 1)
            left = f"({left} {operators[op]} {right})"  # parenthesised: JUEL does not chain comparisons

    def unary(self) -> str:
        if self.accept("!", "not"):
            return f"(not {self.unary()})"
        if self.accept("-"):
            return f"(-{self.unary()})"
        if self.accept("empty"):
            return f"is_empty({self.unary()})"
        return self.value()

    def value(self) -> str:
        python = self.primary()
        while True:
            if self.accept("."):
                member = self.take()
                if member.kind != "name":
                    raise JuelError(f"expected a property name after '.' in expression {self.source!r}")
                if self.peek().text == "(" and self.peek().kind == "op":
                    python = f"{python}.{_identifier(member.text)}({self.arguments()})"
                else:
                    python = f"el_get({python}, {member.text!r})"
            elif self.accept("["):
                index = self.expression()
                self.expect("]")
                python = f"el_get({python}, {index})"
            else:
                return python

    def primary(self) -> str:
        token = self.take()
        if token.kind == "number":
            return token.text
        if token.kind == "string":
            return repr(_unquote(token.text))
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            self.expect(")")
            return f"({inner})"
        if token.kind == "name":
            return self.name(token.text)
        found = token.text or "the end"
        raise JuelError(f"unexpected {found!r} in expression {self.source!r}")

    def name(self, text: str) -> str:
        if text in _LITERALS:
            return _LITERALS[text]
        if text in _RESERVED:
            raise JuelError(f"{text!r} is not supported in expressions")
        if self.peek().text == ":" and self.peek(1).kind == "name" and self.peek(2).text == "(":
            raise JuelError(f"prefixed functions ({text}:...) are not supported")
        if self.peek().text == "->":
            raise JuelError("lambda expressions are not supported")
        if self.peek().text == "(" and self.peek().kind == "op":
            return f"{_identifier(text)}({self.arguments()})"
        return _identifier(text)


def _identifier(text: str) -> str:
    if keyword.iskeyword(text) or "$" in text:
        raise JuelError(f"the name {text!r} cannot be used in an expression; rename the variable")
    return text


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\[\\'\"]", lambda m: _ESCAPES[m.group()], body)
