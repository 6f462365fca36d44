"""What every ``kinerja`` subcommand shares: the engine of the invocation, refusals, JSON and tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click

from engine.errors import (
    BadRequest,
    Conflict,
    DeploymentFailed,
    EngineError,
    NotFound,
    PermissionDenied,
    ProcessFailed,
    ValidationFailed,
)
from engine.runtime import Engine

EXIT_CODES: dict[type[EngineError], int] = {
    ValidationFailed: 3,
    BadRequest: 3,
    Conflict: 4,
    PermissionDenied: 5,
    NotFound: 6,
    DeploymentFailed: 7,
    ProcessFailed: 8,
}
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def refusals(fn: F) -> F:
    """Turn engine refusals into a one-line reason and a non-zero exit status."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EngineError as exc:
            code = next((c for cls, c in EXIT_CODES.items() if isinstance(exc, cls)), 1)
            if isinstance(exc, ValidationFailed):
                detail = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in sorted(exc.errors.items()))
                fail(f"invalid data: {detail}", code)
            if isinstance(exc, DeploymentFailed):
                for problem in exc.problems[1:]:
                    click.echo(f"  {problem}", err=True)
                fail(str(exc.problems[0]) if exc.problems else exc.message, code)
            fail(exc.message, code)

    return wrapper  # type: ignore[return-value]


def engine_of(ctx: click.Context) -> Engine:
    if ctx.obj is None:
        ctx.obj = Engine()
        ctx.call_on_close(ctx.obj.close)
    return ctx.obj  # type: ignore[no-any-return]


def json_data(text: str | None, option: str = "--data") -> dict[str, Any]:
    """An option's JSON object (empty when not given); BadRequest naming the option otherwise."""
    value = json_value(text, option)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{option} must be a JSON object")
    return value


def json_value(text: str | None, option: str) -> Any:
    """An option's JSON value (None when not given); BadRequest naming the option if it is not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{option} is not valid JSON: {exc.msg} at column {exc.colno}") from None


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def when(value: datetime | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    rows = [[("-" if v is None else str(v)) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
