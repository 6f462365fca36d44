"""``kinerja audit``: verify every chain and the checkpoints, make a checkpoint, export an evidence pack,
read the auditors' access log."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine import audit, checkpoints, evidence, users
from engine.cli_support import engine_of, fail, print_json, refusals, table, when


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def audit_verify(ctx: click.Context, as_json: bool) -> None:
    """Verify every hash chain and the checkpoints; exit 9 naming the instance and event if one is broken."""
    with engine_of(ctx).transaction(write=False) as tx:
        result = audit.verify(tx)
    first = result.first_broken
    if as_json:
        print_json(
            {
                "ok": result.ok,
                "instances_checked": result.instances_checked,
                "chains_checked": result.chains_checked,
                "events_checked": result.events_checked,
                "checkpoints_checked": result.checkpoints_checked,
                "first_broken": first.to_dict() if first else None,
                "broken": [b.to_dict() for b in result.breaks],
            }
        )
    elif result.ok:
        click.echo(
            f"ok: {result.chains_checked} chains, {result.events_checked} events, "
            f"{result.instances_checked} instances, {result.checkpoints_checked} checkpoints"
        )
    else:
        for b in result.breaks:
            click.echo(f"BROKEN {_where(b)} at event {b.seq}: {b.reason}")
    if first is not None:
        fail(f"audit chain broken: {_where(first)} at event {first.seq}: {first.reason}", 9)


def _where(b: audit.Break) -> str:
    return f"instance {b.instance_id}" if b.instance_id is not None else b.chain


@audit_group.command("checkpoint")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def audit_checkpoint(ctx: click.Context, as_json: bool) -> None:
    """Record the heads of every chain now (the scheduler does it every hour too)."""
    with engine_of(ctx).transaction() as tx:
        made = checkpoints.create(tx, users.SYSTEM)
    if as_json:
        print_json(made.to_dict())
        return
    click.echo(
        f"checkpoint {made.seq}: {made.chains} chains, {made.changed} moved since the last one; "
        f"hash {made.hash}"
    )


@audit_group.command("pack")
@click.argument("instance_id", type=int)
@click.option("--user", "username", required=True, help="Who exports it (an auditor); the export is logged.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.pass_context
@refusals
def audit_pack(ctx: click.Context, instance_id: int, username: str, output: str | None) -> None:
    """Export an instance's evidence pack (verify it with tools/verify_pack.py)."""
    with engine_of(ctx).transaction() as tx:
        found = evidence.pack(tx, users.actor(tx, username), instance_id)
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"evidence pack of instance {instance_id} written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@audit_group.command("log")
@click.option("--instance", "instance_id", type=int, help="Only looks at this instance.")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def audit_log(ctx: click.Context, instance_id: int | None, limit: int, as_json: bool) -> None:
    """Who looked at what in the audit trail, newest first."""
    with engine_of(ctx).transaction(write=False) as tx:
        found = list(tx.store.audit.accesses(instance_id=instance_id, limit=limit))
    rows = [
        {
            "at": a.at.isoformat(),
            "actor": a.actor,
            "action": a.action,
            "instance_id": a.instance_id,
            "params": json.loads(a.params),
        }
        for a in found
    ]
    if as_json:
        print_json(rows)
        return
    table(
        ["at", "who", "action", "instance", "asked"],
        [(when(r["at"]), r["actor"], r["action"], r["instance_id"], _params(r["params"])) for r in rows],
    )


def _params(params: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items())) or "-"
