"""``kinerja tokens``: API tokens for service accounts and people; list and revoke them."""

from __future__ import annotations

from datetime import timedelta

import click

from engine import tokens
from engine.cli_support import engine_of, print_json, refusals, table, when


@click.group("tokens")
def tokens_group() -> None:
    """Bearer tokens of the HTTP API."""


@tokens_group.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--days", type=click.FloatRange(min=0, min_open=True), help="Lifetime (default: by account).")
@click.pass_context
@refusals
def tokens_create(ctx: click.Context, username: str, name: str, days: float | None) -> None:
    """Make a token for a user and print it once (only its hash is kept)."""
    lifetime = timedelta(days=days) if days is not None else None
    with engine_of(ctx).transaction() as tx:
        issued = tokens.issue(tx, username, name=name, lifetime=lifetime)
    click.echo(issued.secret)
    click.echo(
        f"token {issued.info.id} ({issued.info.prefix}...) for {issued.info.username}, "
        f"expires {when(issued.info.expires_at)} UTC; it is not shown again",
        err=True,
    )


@tokens_group.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def tokens_list(ctx: click.Context, username: str | None, as_json: bool) -> None:
    """Tokens, newest first, with their state (active, expired, revoked)."""
    with engine_of(ctx).transaction(write=False) as tx:
        found, now = tokens.listed(tx, username), tx.clock.now()
    if as_json:
        print_json([{**vars(t), "status": t.status(now)} for t in found])
        return
    table(
        ["id", "user", "name", "prefix", "status", "created", "expires", "last used"],
        [
            (
                t.id,
                t.username,
                t.name,
                t.prefix,
                t.status(now),
                when(t.created_at),
                when(t.expires_at),
                when(t.last_used_at),
            )
            for t in found
        ],
    )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
@refusals
def tokens_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke a token by its id (``kinerja tokens list`` shows it); it stops working at once."""
    with engine_of(ctx).transaction() as tx:
        info = tokens.revoke(tx, token_id)
    click.echo(f"token {info.id} ({info.prefix}...) of {info.username} is revoked")
