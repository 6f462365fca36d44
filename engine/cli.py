"""The ``kinerja`` command: set up the database, deploy models, run and inspect processes.

Output is for people; ``--json`` prints the field names of the HTTP API. Every refusal exits non-zero
with a one-line reason on standard error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from engine import deploy, instances, tasks, users
from engine.bpmn.parser import ModelSource
from engine.cli_audit import audit_group
from engine.cli_cycle import cycle_group, demo_group
from engine.cli_scheduling import message_group, worker_command
from engine.cli_support import engine_of as _engine
from engine.cli_support import json_data as _json_data
from engine.cli_support import print_json as _print_json
from engine.cli_support import refusals
from engine.cli_support import table as _table
from engine.cli_support import when as _when
from engine.cli_tokens import tokens_group
from engine.errors import BadRequest
from engine.history import history as instance_history
from engine.status import TaskScope


@click.group()
def main() -> None:
    """Kinerja: BPMN workflows for ASN performance management."""


# -- database ---------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
@refusals
def db_upgrade(ctx: click.Context) -> None:
    """Create or upgrade the schema to the newest migration."""
    engine = _engine(ctx)
    engine.database.upgrade()
    click.echo(
        f"database is up to date ({engine.database.db_engine.url.render_as_string(hide_password=True)})"
    )


# -- definitions ------------------------------------------------------------------------------------


def _sources(paths: Sequence[str]) -> list[ModelSource]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".bpmn", ".dmn", ".xml")))
        elif path.is_file():
            files.append(path)
        else:
            raise BadRequest(f"{raw}: no such file or directory")
    if not files:
        raise BadRequest("no .bpmn or .dmn files found")
    return [ModelSource(p.name, p.read_bytes()) for p in files]


@main.command("deploy")
@click.argument("paths", nargs=-1, required=True)
@click.option("--note", help="What changed, for the version history.")
@click.option("--user", "username", default=None, help="Deploy as this user (default: the system).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def deploy_command(
    ctx: click.Context, paths: tuple[str, ...], note: str | None, username: str | None, as_json: bool
) -> None:
    """Deploy .bpmn and .dmn files (or folders of them) as one bundle."""
    engine = _engine(ctx)
    sources = _sources(paths)
    with engine.transaction() as tx:
        actor = users.actor(tx, username) if username else users.SYSTEM
        deployed = deploy.deploy(tx, sources, actor, note)
    if as_json:
        _print_json([d.to_dict() for d in deployed])
        return
    for d in deployed:
        state = f"deployed as version {d.version}" if d.new else f"unchanged (version {d.version})"
        click.echo(f"{d.key}: {state}  sha256 {d.sha256[:12]}")


@main.command("definitions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def definitions_command(ctx: click.Context, as_json: bool) -> None:
    """List deployed processes (newest version of each)."""
    with _engine(ctx).transaction(write=False) as tx:
        found = deploy.definitions(tx)
    if as_json:
        _print_json([d.to_dict() for d in found])
        return
    _table(
        ["key", "version", "kind", "name", "deployed", "by"],
        [(d.key, d.version, d.kind, d.name, _when(d.deployed_at), d.deployed_by) for d in found],
    )


# -- instances and tasks ----------------------------------------------------------------------------


def _print_outcome(outcome: instances.Outcome, as_json: bool) -> None:
    if as_json:
        _print_json(outcome.to_dict())
        return
    click.echo(f"instance {outcome.instance_id}: {outcome.status}")
    if outcome.error:
        click.echo(f"  error: {outcome.error}")
    for t in outcome.open_tasks:
        who = t.assignee or ", ".join(t.candidate_roles + t.candidate_users) or "-"
        click.echo(f"  task {t.id}: {t.title} [{t.status}] for {who}")


@main.command("start")
@click.argument("key")
@click.option("--business-key", help="A key unique per process, e.g. NIP/2027.")
@click.option("--data", "data_json", help="Start data as a JSON object.")
@click.option("--user", "username", default=None, help="Start as this user (default: the system).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def start_command(
    ctx: click.Context,
    key: str,
    business_key: str | None,
    data_json: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Start an instance of the newest version of a process."""
    data = _json_data(data_json)
    with _engine(ctx).transaction() as tx:
        actor = users.actor(tx, username) if username else users.SYSTEM
        outcome = instances.start(tx, key, actor, data, business_key)
    _print_outcome(outcome, as_json)


@main.command("tasks")
@click.option("--user", "username", required=True, help="Whose inbox.")
@click.option("--scope", type=click.Choice([s.value for s in TaskScope]), default="mine", show_default=True)
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def tasks_command(
    ctx: click.Context, username: str, scope: str, limit: int, offset: int, as_json: bool
) -> None:
    """A user's tasks: mine (assigned or claimed), queue (claimable), archive (completed)."""
    with _engine(ctx).transaction(write=False) as tx:
        page = tasks.inbox(tx, users.actor(tx, username), scope, limit, offset)
    if as_json:
        _print_json(
            {
                "items": [t.to_dict() for t in page.items],
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
            }
        )
        return
    _table(
        ["id", "title", "process", "instance", "subject", "status", "due"],
        [
            (
                t.id,
                t.title,
                t.process_key,
                t.instance_id,
                t.subject_name or t.subject_nip,
                t.status,
                _when(t.due_at),
            )
            for t in page.items
        ],
    )
    click.echo(f"{page.total} task(s) in {scope}")


@main.command("show")
@click.argument("task_id", type=int)
@click.option("--user", "username", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def show_command(ctx: click.Context, task_id: int, username: str, as_json: bool) -> None:
    """One task with its form and data."""
    with _engine(ctx).transaction(write=False) as tx:
        detail = tasks.show(tx, task_id, users.actor(tx, username))
    if as_json:
        _print_json(detail.to_dict())
        return
    s = detail.summary
    click.echo(f"task {s.id}: {s.title} [{s.status}] in {s.process_key} instance {s.instance_id}")
    if detail.documentation:
        click.echo(detail.documentation)
    for f in detail.form:
        flags = " required" if f.required else ""
        flags += " read-only" if f.readonly else ""
        options = f" one of {', '.join(o.id for o in f.options)}" if f.options else ""
        click.echo(
            f"  {f.id} ({f.type}{flags}){options}: {f.label}; now {detail.data.get(f.id, f.default)!r}"
        )


def _task_command(name: str, action: Callable[..., Any], help_text: str) -> None:
    @main.command(name, help=help_text)
    @click.argument("task_id", type=int)
    @click.option("--user", "username", required=True)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    @refusals
    def command(ctx: click.Context, task_id: int, username: str, as_json: bool) -> None:
        with _engine(ctx).transaction() as tx:
            summary = action(tx, task_id, users.actor(tx, username))
        if as_json:
            _print_json(summary.to_dict())
        else:
            click.echo(
                f"task {summary.id}: {summary.title} [{summary.status}] {summary.assignee or ''}".rstrip()
            )


_task_command("claim", instances.claim, "Take a task from a queue into your inbox.")
_task_command("release", instances.release, "Give a claimed task back to its queue.")


@main.command("complete")
@click.argument("task_id", type=int)
@click.option("--user", "username", required=True)
@click.option("--data", "data_json", help="The form's values as a JSON object.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def complete_command(
    ctx: click.Context, task_id: int, username: str, data_json: str | None, as_json: bool
) -> None:
    """Complete a task with form data."""
    data = _json_data(data_json)
    with _engine(ctx).transaction() as tx:
        outcome = instances.complete(tx, task_id, data, users.actor(tx, username))
    _print_outcome(outcome, as_json)


@main.command("cancel")
@click.argument("instance_id", type=int)
@click.option("--user", "username", default=None)
@click.option("--reason")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def cancel_command(
    ctx: click.Context, instance_id: int, username: str | None, reason: str | None, as_json: bool
) -> None:
    """Cancel a running instance."""
    with _engine(ctx).transaction() as tx:
        actor = users.actor(tx, username) if username else users.SYSTEM
        outcome = instances.cancel(tx, instance_id, actor, reason)
    _print_outcome(outcome, as_json)


@main.command("history")
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def history_command(ctx: click.Context, instance_id: int, as_json: bool) -> None:
    """An instance's audit events, in order."""
    with _engine(ctx).transaction(write=False) as tx:
        events = instance_history(tx, instance_id)
    if as_json:
        _print_json([e.to_dict() for e in events])
        return
    for e in events:
        click.echo(f"{e.seq:>4}  {_when(e.at)}  {e.type:<20} {e.actor or '-':<16} {e.summary}")


# -- users ------------------------------------------------------------------------------------------


@main.group("users")
def users_group() -> None:
    """People and service accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help=f"One of: {', '.join(users.ROLES)}.")
@click.option("--nip", help="The 18-digit NIP of a civil servant.")
@click.option("--name", "display_name", help="Display name.")
@click.option("--email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--service", is_flag=True, help="A service account (an integration): API tokens, no login.")
@click.pass_context
@refusals
def users_add(
    ctx: click.Context,
    username: str,
    roles: tuple[str, ...],
    nip: str | None,
    display_name: str | None,
    email: str | None,
    password_stdin: bool,
    service: bool,
) -> None:
    """Add a user (or with --service a service account) with one or more roles."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise BadRequest("a password has at least 8 characters")
    with _engine(ctx).transaction() as tx:
        actor = users.add_user(
            tx,
            username,
            roles,
            display_name=display_name,
            nip=nip,
            email=email,
            password=password,
            is_service=service,
        )
    kind = "service account" if service else "user"
    click.echo(f"{kind} {actor.username} added with roles {', '.join(sorted(actor.roles))}")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List users and their roles."""
    with _engine(ctx).transaction(write=False) as tx:
        rows = [(u, tx.store.roles(u.id)) for u in tx.store.users()]
    if as_json:
        _print_json(
            [
                {
                    "username": u.username,
                    "display_name": u.display_name,
                    "nip": u.nip,
                    "roles": r,
                    "active": u.active,
                }
                for u, r in rows
            ]
        )
        return
    _table(
        ["username", "name", "nip", "roles"],
        [(u.username, u.display_name, u.nip, ",".join(r)) for u, r in rows],
    )


main.add_command(demo_group)
main.add_command(worker_command)
main.add_command(message_group)
main.add_command(cycle_group)
main.add_command(audit_group)
main.add_command(tokens_group)

if __name__ == "__main__":
    main()
