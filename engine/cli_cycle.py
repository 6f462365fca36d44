"""``kinerja demo`` and ``kinerja cycle``: seed the demo regency, launch a performance cycle."""

from __future__ import annotations

import json

import click

from engine import cycle, demo
from engine.cli_support import engine_of as _engine
from engine.cli_support import refusals


@click.group("demo")
def demo_group() -> None:
    """The generated demo regency (Kabupaten Nabire, Distrik Wanggar)."""


@demo_group.command("seed")
@click.option("--password", default=demo.DEMO_PASSWORD, show_default=True, help="Password of every login.")
@click.pass_context
@refusals
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


@click.group("cycle")
def cycle_group() -> None:
    """The yearly performance cycle: per-employee instances, stage by stage."""


@cycle_group.command("start")
@click.option("--year", type=int, required=True, help="The performance year, e.g. 2027.")
@click.option("--unit", "units", multiple=True, help="A unit id (repeatable).")
@click.option("--all", "all_units", is_flag=True, help="Every unit of the regency.")
@click.option("--stage", type=click.Choice(list(cycle.STAGES)), default="perencanaan", show_default=True)
@click.option("--month", type=int, help="For --stage realisasi: 1..12.")
@click.option("--quarter", type=int, help="For --stage triwulan: 1..4.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def cycle_start(
    ctx: click.Context,
    year: int,
    units: tuple[str, ...],
    all_units: bool,
    stage: str,
    month: int | None,
    quarter: int | None,
    as_json: bool,
) -> None:
    """Start the year (orchestrators, needs analysis, SKP planning) or a later stage, per employee."""
    if bool(units) == all_units:
        raise click.UsageError("give --unit X (one or more) or --all")
    chosen = None if all_units else units
    with _engine(ctx).transaction() as tx:
        if stage == "perencanaan":  # the start of the year: orchestrators, needs analysis, SKP planning
            launches = cycle.start_cycle(tx, year, chosen)
        else:
            launches = [cycle.launch(tx, year, stage, chosen, month=month, quarter=quarter)]
    if as_json:
        click.echo(
            json.dumps(launches[0].to_dict() | {"also": [d.to_dict() for d in launches[1:]]}, indent=2)
        )
        return
    for done in launches:
        click.echo(
            f"{done.process_key} {done.periode}: started {len(done.started)}, "
            f"skipped {len(done.skipped)} already started"
        )
        for unit_id, count in sorted(done.per_unit.items()):
            click.echo(f"  {unit_id}: {count}")
