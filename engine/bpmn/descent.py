"""What the FEEL and JUEL translators share: tokens, and a recursive-descent parser's small moves.

Each language brings its own token pattern, its error class and its grammar; the grammar methods
return Python source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str  # string | number | name | op | end (FEEL also: fn)
    text: str


def tokenize(
    pattern: re.Pattern[str],
    text: str,
    unreadable: Callable[[str], Exception],
    spell: Callable[[str, str], str] = lambda _kind, token: token,
) -> list[Token]:
    """Split ``text`` by ``pattern``'s named groups (``ws`` dropped), ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = pattern.match(text, pos)
        if match is None:
            raise unreadable(text[pos:])
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, spell(kind, match.group())))
        pos = match.end()
    tokens.append(Token("end", ""))
    return tokens


class Descent:
    """A position in a token list; subclasses add the grammar and say how an error reads."""

    error: type[ValueError] = ValueError
    place = "in"  # "expected X but found Y <place> <source>"

    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens, self.pos, self.source = tokens, 0, source

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def accept(self, *texts: str) -> str | None:
        token = self.peek()
        if token.kind in ("op", "name") and token.text in texts:
            self.pos += 1
            return token.text
        return None

    def expect(self, text: str) -> None:
        if self.accept(text) is None:
            found = self.peek().text or "the end"
            raise self.error(f"expected {text!r} but found {found!r} {self.place} {self.source!r}")

    def expression(self) -> str:
        raise NotImplementedError

    def arguments(self) -> str:
        """``( expression, ... )`` as the Python argument list."""
        self.expect("(")
        args: list[str] = []
        if self.accept(")") is None:
            args.append(self.expression())
            while self.accept(","):
                args.append(self.expression())
            self.expect(")")
        return ", ".join(args)
