"""The restricted environment in which process scripts, conditions and expressions run.

Code in a diagram is compiled with RestrictedPython (no imports, no dunder attributes, no ``open``,
``eval`` or ``type``) and sees only a short list of safe builtins plus the helper functions the
application registers. SpiffWorkflow's default engine is plain ``exec``; a workflow restored from JSON
gets that default back, so ``runner`` sets this one again after every load.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import math
import operator
import re
import types
from collections.abc import Callable, Mapping
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

_UNSAFE = {"setattr", "delattr", "__build_class__", "_getattr_", "id", "hash"}
_BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE}
_BUILTINS.update(limited_builtins)
_BUILTINS.update(
    dict=dict,
    set=set,
    frozenset=frozenset,
    sum=sum,
    min=min,
    max=max,
    any=any,
    all=all,
    enumerate=enumerate,
    sorted=sorted,
    reversed=reversed,
    zip=zip,
    map=map,
    filter=filter,
)
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


def is_empty(value: Any) -> bool:
    """JUEL's ``empty``: true for None, an empty string and an empty collection."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


_HELPERS: dict[str, Any] = {
    "is_empty": is_empty,
    "math": math,
    "Decimal": decimal.Decimal,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "timezone": _dt.timezone,
}


def register_helper(name: str, value: Any) -> None:
    """Expose a function (or constant) to every process script and expression."""
    if not re.fullmatch(r"[a-z][A-Za-z0-9_]*", name):
        raise ValueError(f"helper names are plain identifiers: {name!r}")
    _HELPERS[name] = value
    _BASE.clear()


def helpers() -> Mapping[str, Any]:
    """The names every script and expression can use besides its task data."""
    return dict(_HELPERS)


_BASE: dict[str, Any] = {}  # guards and helpers together, rebuilt when a helper is registered


def _base_globals() -> dict[str, Any]:
    if not _BASE:
        _BASE.update(_guarded_globals())
        _BASE.update(_HELPERS)
    return _BASE


def _guarded_globals() -> dict[str, Any]:
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": lambda op, x, y: _INPLACE[op](x, y),
        "_apply_": lambda f, *a, **kw: f(*a, **kw),
    }


class ScriptRejected(SyntaxError):
    """Code that RestrictedPython refuses to compile (with the line of the first problem)."""


@functools.lru_cache(maxsize=8192)
def compile_code(source: str, mode: str) -> Any:
    """Compile under the restrictions; cached, since the same expressions run again and again."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    # '<string>' is the name SpiffWorkflow's error reporting looks for to find the line number.
    result = compiler(source, "<string>")
    if result.errors:
        match = re.match(r"Line (\d+):", result.errors[0])
        line = int(match.group(1)) if match else 1
        raise ScriptRejected("; ".join(result.errors), ("<string>", line, 0, None))
    return result.code


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment that compiles every script and expression with RestrictedPython."""

    def __init__(self) -> None:
        super().__init__({})

    @property  # type: ignore[override]
    def globals(self) -> dict[str, Any]:
        return _base_globals()

    @globals.setter
    def globals(self, _value: Any) -> None:  # TaskDataEnvironment assigns it in __init__
        pass

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = compile_code(expression, "eval")
        return eval(code, {**_base_globals(), **(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        code = compile_code(script, "exec")
        fixed = {**self.globals, **(external_context or {})}
        namespace = {**fixed, **context}
        exec(code, namespace)
        # Write back what the script left as data: not the helpers, not functions or modules it made.
        for key in [k for k in context if k not in namespace]:
            del context[key]
        for key, value in namespace.items():
            if key.startswith("_") or (key in fixed and value is fixed[key]):
                continue
            if callable(value) or isinstance(value, types.ModuleType):
                continue
            context[key] = value
        return True


def restricted_engine() -> PythonScriptEngine:
    """A script engine for one workflow, running everything under the restrictions."""
    return PythonScriptEngine(environment=RestrictedEnvironment())


def evaluate(expression: str, data: Mapping[str, Any]) -> Any:
    """Evaluate one Python expression over process data, outside any task (assignee, due date)."""
    return eval(compile_code(expression, "eval"), {**_base_globals(), **data})


def check_compiles(source: str, mode: str = "eval") -> str | None:
    """Return the reason the code is refused under the restrictions, or None if it compiles."""
    try:
        compile_code(source, mode)
    except SyntaxError as exc:
        return str(exc.msg if hasattr(exc, "msg") else exc)
    return None
