"""What restricted code may touch: the compile policy, the safe builtins and the guarded operations.

RestrictedPython already refuses dunder names and frame attributes. On top of it we refuse imports and
classes outright (rather than failing them at run time), a bare ``except:`` (it would swallow the
watchdog's interruption) and huge format widths, and route ``*``, ``**``, ``<<`` and ``%`` through
``_guarded_op_``, which refuses a result that would be too big before Python allocates it: a single
``"x" * 10**10`` runs in C, where no watchdog can stop it.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType, SimpleNamespace
from typing import Any, ClassVar

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.Guards import safer_getattr as _library_getattr

MAX_ITEMS = 10_000_000  # characters of a string or items of a list one operation may build
MAX_INT_BITS = 1_000_000  # about 300,000 decimal digits
MAX_RANGE = 1_000_000
_WIDTH = re.compile(r"\d{5,}|\*")  # a format width or precision of 10,000 or more, or taken from data


class ResourceLimit(ValueError):
    """An operation refused because its result would be too large."""


class KinerjaPolicy(RestrictingNodeTransformer):  # type: ignore[misc]
    """RestrictedPython's policy, plus size-guarded operators, no bare except, bounded format widths."""

    _GUARDED: ClassVar[dict[type, str]] = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = self._GUARDED.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_guarded_op_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "imports are not allowed; use the helper functions")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "imports are not allowed; use the helper functions")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed")
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed; name the exceptions to catch")
        return super().visit_ExceptHandler(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if any(not isinstance(p, ast.Constant) or _WIDTH.search(str(p.value)) for p in parts):
                self.error(node, "format widths must be constant and below 10000")
        return super().visit_FormattedValue(node)


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _check_repeat(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        size = _sized(seq)
        if size is not None and isinstance(count, int) and size * max(count, 0) > MAX_ITEMS:
            raise ResourceLimit(f"the result would hold more than {MAX_ITEMS} items")


def _check_pow(base: Any, exponent: Any) -> None:
    ints = isinstance(base, int) and isinstance(exponent, int)
    if ints and exponent > 0 and abs(base) > 1 and base.bit_length() * exponent > MAX_INT_BITS:
        raise ResourceLimit(f"the result would have more than {MAX_INT_BITS} bits")


def _check_shift(value: Any, shift: Any) -> None:
    if isinstance(value, int) and isinstance(shift, int) and value and shift > MAX_INT_BITS:
        raise ResourceLimit(f"the result would have more than {MAX_INT_BITS} bits")


def _check_percent(left: Any, _right: Any) -> None:
    if isinstance(left, str | bytes) and _WIDTH.search(str(left)):
        raise ResourceLimit("%-format widths must be constant and below 10000")


_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "*": _check_repeat,
    "**": _check_pow,
    "<<": _check_shift,
    "%": _check_percent,
}
_APPLY: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "<<": operator.lshift,
    "%": operator.mod,
}


def guarded_op(symbol: str, left: Any, right: Any) -> Any:
    """Apply ``* ** << %`` after checking the result stays within the limits."""
    _CHECKS[symbol](left, right)
    return _APPLY[symbol](left, right)


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "|=": operator.ior,
    "&=": operator.iand,
    "^=": operator.ixor,
    ">>=": operator.irshift,
}


def guarded_inplace(op: str, left: Any, right: Any) -> Any:
    """``x op= y`` for names: the same limits as the plain operators."""
    if op[:-1] in _CHECKS:
        _CHECKS[op[:-1]](left, right)
        return _APPLY[op[:-1]](left, right)
    if op not in _INPLACE:
        raise ResourceLimit(f"the operator {op} is not allowed")
    return _INPLACE[op](left, right)


_PADDING = {"ljust", "rjust", "center", "zfill"}


_MISSING = object()
_safer_getattr: Callable[..., Any] = _library_getattr


def guarded_getattr(obj: Any, name: str, default: Any = _MISSING) -> Any:
    """RestrictedPython's safer getattr, with size checks on the string methods that pad or expand.

    A missing attribute raises AttributeError (RestrictedPython's own gives None, which surfaces later
    as a puzzling "'NoneType' object is not callable").
    """
    value = _safer_getattr(obj, name, default)
    if value is _MISSING:
        raise AttributeError(f"{type(obj).__name__!r} has no attribute {name!r}")
    if isinstance(obj, str | bytes) and (name in _PADDING or name in ("expandtabs", "replace")):
        return _bounded_method(obj, name, value)
    return value


def _bounded_method(text: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if name in _PADDING and args and isinstance(args[0], int) and args[0] > MAX_ITEMS:
            raise ResourceLimit(f"{name}() to more than {MAX_ITEMS} characters")
        if name == "expandtabs" and args and isinstance(args[0], int):
            _check_repeat(text, args[0])
        if name == "replace" and len(args) >= 2:
            occurrences = len(text) + 1 if not args[0] else text.count(args[0])
            if len(text) + occurrences * len(args[1]) > MAX_ITEMS:
                raise ResourceLimit(f"the result would hold more than {MAX_ITEMS} items")
        return method(*args)

    return call


def guarded_getitem(obj: Any, index: Any) -> Any:
    """``obj[index]``: plain item access (attribute rules are enforced by ``guarded_getattr``)."""
    return obj[index]


def bounded_range(*args: int) -> range:
    """``range`` that refuses more than MAX_RANGE items (``list(range(10**10))`` would run in C)."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ResourceLimit(f"range() of more than {MAX_RANGE} items")
    return result


# -- JUEL semantics, used by translated expressions -------------------------------------------------


def is_empty(value: Any) -> bool:
    """JUEL's ``empty``: true for None, an empty string and an empty collection."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


def el_get(obj: Any, key: Any) -> Any:
    """JUEL's ``a.b`` and ``a[b]``: a map key (null if missing), a list index, or a public attribute."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    if isinstance(obj, list | tuple | str):
        if isinstance(key, str) and key.lstrip("-").isdigit():
            key = int(key)
        if isinstance(key, int) and not isinstance(key, bool):
            return obj[key] if -len(obj) <= key < len(obj) else None
    if not isinstance(key, str):
        raise TypeError(f"cannot read {key!r} of a {type(obj).__name__}")
    return guarded_getattr(obj, key, None)


def el_str(value: Any) -> str:
    """JUEL's string coercion in composite text: null is the empty string."""
    return "" if value is None else str(value)


_MATH_NAMES = (
    "ceil floor trunc sqrt exp log log10 log2 fabs fsum isclose isfinite isinf isnan gcd "
    "sin cos tan radians degrees pi e inf nan"
)
# The math functions that build huge numbers in C (factorial, comb, perm, prod) are left out.
SAFE_MATH = SimpleNamespace(**{name: getattr(math, name) for name in _MATH_NAMES.split()})

_EXCEPTIONS = (
    Exception,
    ArithmeticError,
    AssertionError,
    AttributeError,
    IndexError,
    KeyError,
    LookupError,
    NameError,
    NotImplementedError,
    OverflowError,
    RuntimeError,
    StopIteration,
    TypeError,
    ValueError,
    ZeroDivisionError,
)
SAFE_BUILTINS: Mapping[str, Any] = MappingProxyType(
    {
        "None": None,
        "False": False,
        "True": True,
        **{f.__name__: f for f in (abs, all, any, bool, chr, dict, divmod, enumerate, filter, float)},
        **{f.__name__: f for f in (frozenset, int, isinstance, len, list, map, max, min, ord, repr)},
        **{f.__name__: f for f in (reversed, round, set, sorted, str, sum, tuple, zip)},
        "range": bounded_range,
        **{e.__name__: e for e in _EXCEPTIONS},
    }
)
