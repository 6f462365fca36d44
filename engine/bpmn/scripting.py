"""The restricted environment in which process scripts, conditions and expressions run.

Code in a diagram is compiled with RestrictedPython under ``guards.KinerjaPolicy`` (no imports, no
dunder attributes, no ``open``, ``eval``, ``type`` or bare ``except``; size-guarded ``* ** << %``) and
sees only ``guards.SAFE_BUILTINS`` plus the helper functions the application registers. Every engine
step runs under the watchdog's time and memory limit. SpiffWorkflow's default engine is plain
``exec``; a workflow restored from JSON gets that default back, so ``runner`` sets this one again
after every load.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import decimal
import functools
import re
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.PrintCollector import PrintCollector
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.bpmn import guards, joda, watchdog
from engine.bpmn.guards import is_empty

__all__ = ["is_empty"]

_HELPERS: dict[str, Any] = {
    "is_empty": guards.is_empty,
    "el_get": guards.el_get,
    "el_str": guards.el_str,
    "dateTime": joda.date_time,
    "now": joda.now,
    "feel_date": joda.feel_date,
    "feel_datetime": joda.feel_datetime,
    "feel_duration": joda.feel_duration,
    "math": guards.SAFE_MATH,
    "Decimal": decimal.Decimal,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "timezone": _dt.timezone,
}


@dataclass(frozen=True)
class Limits:
    """How long one engine step may run and how much the process may grow while it runs."""

    seconds: float = 5.0
    memory_mb: int = 256


DEFAULT_LIMITS = Limits()
_limits: contextvars.ContextVar[Limits] = contextvars.ContextVar("kinerja_limits", default=DEFAULT_LIMITS)


@contextmanager
def using_limits(limits: Limits) -> Iterator[None]:
    """Run engine steps (and expression evaluations) under these limits."""
    token = _limits.set(limits)
    try:
        yield
    finally:
        _limits.reset(token)


@contextmanager
def step_limit() -> Iterator[None]:
    """The current limits, armed on the watchdog for the body."""
    limits = _limits.get()
    with watchdog.limited(limits.seconds, limits.memory_mb * 1024 * 1024):
        yield


def current_limits() -> Limits:
    """The limits engine steps run under right now."""
    return _limits.get()


def register_helper(name: str, value: Any) -> None:
    """Expose a function (or object, or constant) to every process script and expression."""
    if not re.fullmatch(r"[a-z][A-Za-z0-9_]*", name):
        raise ValueError(f"helper names are plain identifiers: {name!r}")
    _HELPERS[name] = value
    _BASE.clear()


def unregister_helper(name: str) -> None:
    """Withdraw a helper registered with ``register_helper``."""
    _HELPERS.pop(name, None)
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
        "__builtins__": dict(guards.SAFE_BUILTINS),
        "_getattr_": guards.guarded_getattr,
        "_getitem_": guards.guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": guards.guarded_inplace,
        "_guarded_op_": guards.guarded_op,
        "_apply_": lambda f, *a, **kw: f(*a, **kw),
        "_print_": PrintCollector,  # print() in a script is collected and dropped, not written anywhere
    }


class ScriptRejected(SyntaxError):
    """Code that RestrictedPython refuses to compile (with the line of the first problem)."""


@functools.lru_cache(maxsize=8192)
def compile_code(source: str, mode: str) -> Any:
    """Compile under the restrictions; cached, since the same expressions run again and again."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    # '<string>' is the name SpiffWorkflow's error reporting looks for to find the line number.
    result = compiler(source, "<string>", policy=guards.KinerjaPolicy)
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
            if callable(value) or isinstance(value, types.ModuleType | types.GeneratorType):
                continue
            context[key] = value
        return True


def restricted_engine() -> PythonScriptEngine:
    """A script engine for one workflow, running everything under the restrictions."""
    return PythonScriptEngine(environment=RestrictedEnvironment())


def evaluate(expression: str, data: Mapping[str, Any]) -> Any:
    """Evaluate one Python expression over process data, outside any task (assignee, due date)."""
    code = compile_code(expression, "eval")
    with step_limit():
        return eval(code, {**_base_globals(), **data})


def check_compiles(source: str, mode: str = "eval") -> str | None:
    """Return the reason the code is refused under the restrictions, or None if it compiles."""
    try:
        compile_code(source, mode)
    except SyntaxError as exc:
        return str(exc.msg if hasattr(exc, "msg") else exc)
    return None
