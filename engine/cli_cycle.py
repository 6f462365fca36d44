"""``kinerja demo`` and ``kinerja cycle``: seed the demo regency, launch a performance cycle."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from engine import demo
from engine.errors import EngineError
from engine.runtime import Engine

F = TypeVar("F", bound=Callable[..., Any])


def _refusals(fn: F) -> F:
    """An engine refusal is one line on standard error and exit status 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EngineError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _engine(ctx: click.Context) -> Engine:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Engine()
        root.call_on_close(root.obj.close)
    assert isinstance(root.obj, Engine)
    return root.obj


@click.group("demo")
def demo_group() -> None:
    """The generated demo regency (Kabupaten Nabire, Distrik Wanggar)."""


@demo_group.command("seed")
@click.option("--password", default=demo.DEMO_PASSWORD, show_default=True, help="Password of every login.")
@click.pass_context
@_refusals
def demo_seed(ctx: click.Context, password: str) -> None:
    """Write the demo org chart and its logins once, and print the logins."""
    with _engine(ctx).transaction() as tx:
        fresh = not demo.seeded(tx)
        if fresh:
            demo.seed(tx, password)
    click.echo("demo regency seeded" if fresh else "demo regency already seeded; logins:")
    click.echo(f"every demo login has the password {password!r} (admin too)")
    for person in demo.people():
        roles = ",".join(r for r in person.roles if r != "pegawai") or "pegawai"
        click.echo(f"  {person.username:<22} {roles:<44} {person.jabatan} ({person.unit_id})")
    click.echo(f"  {'admin':<22} {'admin,pemilik_proses,bkpsdm':<44} Administrator")
