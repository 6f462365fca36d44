"""FEEL as DMN tables use it, written as Python: unary tests in input cells, expressions elsewhere.

Unary tests: ``"A","B"`` (any of), ``[250..1000]``, ``]1..5[``, ``(1..5]`` (ranges, open or closed at
either end), ``< 1000``, ``>= x``, ``!= "y"``, ``not("x", "y")``, ``null``, ``-`` or an empty cell
(anything), and tests that use ``?`` for the input (``? > 3 and ? < 9``). Expressions: literals,
names, ``a.b`` on maps, arithmetic, comparisons (``=`` is equality), ``and``/``or``, ``not(x)``,
``if c then a else b``, lists and the functions ``date``, ``date and time``, ``duration``.
The result is Python over the restricted helpers; a cell that is not FEEL raises ``FeelError``, and the
DMN reader then tries it as Python, so SpiffWorkflow-style tables (``item['x']``) keep working.
"""

from __future__ import annotations

import re

from engine.bpmn.descent import Descent, Token, tokenize

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<fn>date\s+and\s+time(?=\s*\())
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\.\.|\*\*|<=|>=|!=|[-+*/<>=()\[\],.?])
    """,
    re.X,
)
_FUNCTIONS = {"date": "feel_date", "date and time": "feel_datetime", "duration": "feel_duration"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_KEYWORDS = {"and", "or", "not", "if", "then", "else", "in", "between", "for", "some", "every", "function"}


class FeelError(ValueError):
    """Text that is not the FEEL this engine understands."""


def _tokenize(text: str) -> list[Token]:
    return tokenize(
        _TOKEN,
        text,
        lambda rest: FeelError(f"cannot read {rest!r}"),
        lambda kind, token: re.sub(r"\s+", " ", token) if kind == "fn" else token,
    )


def expression(text: str) -> str:
    """One FEEL expression as Python."""
    parser = _Parser(_tokenize(text), text, None)
    python = parser.expression()
    parser.finish()
    return python


def unary_tests(text: str, variable: str) -> str | None:
    """A cell of unary tests as a Python condition on ``variable``; None when it matches anything."""
    source = text.strip()
    if source in ("", "-"):
        return None
    parser = _Parser(_tokenize(source), source, variable)
    negate = parser.peek().text == "not" and parser.peek(1).text == "("
    if negate:
        parser.pos += 2
    tests = [parser.positive_test()]
    while parser.accept(","):
        tests.append(parser.positive_test())
    if negate:
        parser.expect(")")
    parser.finish()
    joined = tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"
    return f"(not {joined})" if negate else joined


class _Parser(Descent):
    """Recursive descent; ``variable`` is the input a unary test compares (also what ``?`` means)."""

    error = FeelError

    def __init__(self, tokens: list[Token], source: str, variable: str | None) -> None:
        super().__init__(tokens, source)
        self.variable = variable

    def finish(self) -> None:
        if self.peek().kind != "end":
            raise FeelError(f"unexpected {self.peek().text!r} in {self.source!r}")

    def positive_test(self) -> str:
        value = self.variable
        op = self.accept("<", "<=", ">", ">=", "!=", "=")
        if op is not None:
            return f"({value} {'==' if op == '=' else op} {self.additive()})"
        if self.peek().text in ("[", "]", "(") and self._is_interval():
            return self.interval()
        uses_input = any(t.text == "?" for t in self.tokens[self.pos :])
        python = self.expression()
        return python if uses_input else f"({value} == {python})"

    def _is_interval(self) -> bool:
        depth = 0
        for token in self.tokens[self.pos + 1 :]:
            if token.text in ("[", "("):
                depth += 1
            elif token.text in ("]", ")"):
                depth -= 1
            elif token.text == ".." and depth == 0:
                return True
            elif (token.text == "," and depth == 0) or token.kind == "end":
                return False
        return False

    def interval(self) -> str:
        opening = self.tokens[self.pos].text
        self.pos += 1
        low = self.additive()
        self.expect("..")
        high = self.additive()
        closing = self.accept("]", "[", ")")
        if closing is None:
            raise FeelError(f"a range must end with ']', '[' or ')' in {self.source!r}")
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing == "]" else "<"
        return f"({low} {low_op} {self.variable} {high_op} {high})"

    def expression(self) -> str:
        if self.accept("if"):
            condition = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            return f"({then} if {condition} else {self.expression()})"
        return self.disjunction()

    def disjunction(self) -> str:
        left = self.conjunction()
        while self.accept("or"):
            left = f"({left} or {self.conjunction()})"
        return left

    def conjunction(self) -> str:
        left = self.comparison()
        while self.accept("and"):
            left = f"({left} and {self.comparison()})"
        return left

    def comparison(self) -> str:
        left = self.additive()
        op = self.accept("=", "!=", "<", "<=", ">", ">=")
        if op is None:
            return left
        return f"({left} {'==' if op == '=' else op} {self.additive()})"

    def additive(self) -> str:
        left = self.multiplicative()
        while (op := self.accept("+", "-")) is not None:
            left = f"({left} {op} {self.multiplicative()})"
        return left

    def multiplicative(self) -> str:
        left = self.power()
        while (op := self.accept("*", "/")) is not None:
            left = f"({left} {op} {self.power()})"
        return left

    def power(self) -> str:
        left = self.unary()
        while self.accept("**"):
            left = f"({left} ** {self.unary()})"
        return left

    def unary(self) -> str:
        if self.accept("-"):
            return f"(-{self.unary()})"
        return self.postfix()

    def postfix(self) -> str:
        python = self.primary()
        while True:
            if self.accept("."):
                member = self.peek()
                if member.kind != "name":
                    raise FeelError(f"expected a name after '.' in {self.source!r}")
                self.pos += 1
                python = f"el_get({python}, {member.text!r})"
            elif self.peek().text == "[" and self.peek(1).kind == "number" and self.peek(2).text == "]":
                python = f"el_get({python}, {int(self.peek(1).text) - 1})"  # FEEL lists count from 1
                self.pos += 3
            else:
                return python

    def primary(self) -> str:
        token = self.peek()
        self.pos += 1
        if token.kind == "number":
            return token.text
        if token.kind == "string":
            return repr(re.sub(r"\\(.)", r"\1", token.text[1:-1]))
        if token.kind == "fn" or (token.text in _FUNCTIONS and self.peek().text == "("):
            return f"{_FUNCTIONS[token.text]}({self.arguments()})"
        if token.text == "?" and self.variable is not None:
            return self.variable
        if token.text == "(":
            inner = self.expression()
            self.expect(")")
            return f"({inner})"
        if token.text == "[":
            items = [] if self.accept("]") else [self.expression()]
            while items and self.accept(","):
                items.append(self.expression())
            if items:
                self.expect("]")
            return "[" + ", ".join(items) + "]"
        if token.kind == "name":
            return self.name(token.text)
        raise FeelError(f"unexpected {token.text or 'the end'!r} in {self.source!r}")

    def name(self, text: str) -> str:
        if text in _LITERALS:
            return _LITERALS[text]
        if text == "not" and self.peek().text == "(":
            return f"(not {self.arguments()})"
        if text in _KEYWORDS:
            raise FeelError(f"{text!r} is not supported here in {self.source!r}")
        if self.peek().text == "(":
            raise FeelError(f"the function {text!r} is not supported in {self.source!r}")
        return text
