"""``kinerja worker`` (fire due timers and send the outbox) and ``kinerja message`` (send and list)."""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType
from typing import Any

import click

from engine import messages, users
from engine.cli_support import engine_of, json_data, json_value, print_json, refusals, table, when
from engine.scheduler import Scheduler

# -- worker -----------------------------------------------------------------------------------------


@click.command("worker")
@click.option("--batch", default=20, show_default=True, help="Due instances claimed per transaction.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between rounds when idle.")
@click.option("--until-idle", is_flag=True, help="Stop once nothing is due (instead of running on).")
@click.option("--no-mail", is_flag=True, help="Leave the email outbox to other workers.")
@click.pass_context
@refusals
def worker_command(ctx: click.Context, batch: int, interval: float, until_idle: bool, no_mail: bool) -> None:
    """Fire due timers and deadlines and send emails, until stopped (SIGTERM ends the round first).

    Run any number of workers against one PostgreSQL database, on any hosts: each due item is
    handled by exactly one of them.
    """
    # Named on PostgreSQL (pg_stat_activity), so an operator can tell the workers apart.
    os.environ.setdefault("PGAPPNAME", f"kinerja-worker-{os.getpid()}")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("engine").setLevel(logging.INFO)  # ours; SpiffWorkflow logs every task at INFO
    scheduler = Scheduler(engine_of(ctx), interval=interval, batch=max(1, batch), send_mail=not no_mail)

    def finish(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"worker {os.getpid()}: {signal.Signals(signum).name}, finishing the round", err=True)
        scheduler.request_stop()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    mail = "and sending email" if scheduler.mailer else "(email off)"
    click.echo(
        f"worker {os.getpid()}: firing what is due, {scheduler.batch} per transaction, {mail}", err=True
    )
    totals = scheduler.run_until_idle() if until_idle else scheduler.run_forever()
    click.echo(
        f"worker {os.getpid()}: fired {totals.fired} instance(s), sent {totals.sent} email(s), "
        f"{totals.failed} failure(s)"
    )


# -- messages ---------------------------------------------------------------------------------------


@click.group("message")
def message_group() -> None:
    """Messages to processes: send one, list those received or kept."""


@message_group.command("send")
@click.argument("name")
@click.option("--correlation", "correlation_json", help='Keys that pick the instance, e.g. {"nip": "..."}.')
@click.option(
    "--payload", "payload_json", help="A JSON object merged into the process data (or any JSON with --var)."
)
@click.option("--var", "result_var", help="Put the whole payload in this one process variable.")
@click.option("--key", "idempotency_key", help="Idempotency key: a message with a key is delivered once.")
@click.option("--user", "username", default=None, help="Send as this user (default: the system).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def message_send(
    ctx: click.Context,
    name: str,
    correlation_json: str | None,
    payload_json: str | None,
    result_var: str | None,
    idempotency_key: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Deliver a message to the instances waiting for it, or start a process with it, or keep it."""
    correlation = json_data(correlation_json, "--correlation")
    payload = json_value(payload_json, "--payload")
    with engine_of(ctx).transaction() as tx:
        actor = users.actor(tx, username) if username else users.SYSTEM
        delivery = messages.deliver(
            tx,
            name,
            correlation,
            payload,
            actor=actor,
            result_var=result_var,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(delivery.to_dict())
        return
    click.echo(_describe(delivery))


def _describe(d: messages.Delivery) -> str:
    said = f"message {d.message_id} ({d.name})"
    if d.duplicate:
        where = ", ".join(map(str, d.instance_ids)) or "nowhere yet"
        return f"{said} was received before under this key; not delivered again (it went to: {where})"
    if d.instance_ids:
        return f"{said} delivered to instance(s) {', '.join(map(str, d.instance_ids))}"
    if d.started:
        return f"{said} started instance {', '.join(map(str, d.started))}"
    return (
        f"{said} kept: nothing waits for it yet; it is delivered when something does "
        "(kinerja message list --pending)"
    )


@message_group.command("list")
@click.option("--pending", is_flag=True, help="Only messages nothing has taken yet.")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@refusals
def message_list(ctx: click.Context, pending: bool, limit: int, as_json: bool) -> None:
    """Messages received, newest first; --pending for those kept because nothing waited for them."""
    with engine_of(ctx).transaction(write=False) as tx:
        found = messages.kept(tx, limit) if pending else messages.recent(tx, limit)
    if as_json:
        print_json(found)
        return
    table(
        ["id", "name", "correlation", "status", "received", "to", "key"],
        [_row(m) for m in found],
    )
    click.echo(f"{len(found)} message(s)" + (" kept" if pending else ""))


def _row(m: dict[str, Any]) -> tuple[Any, ...]:
    keys = ", ".join(f"{k}={v}" for k, v in sorted(m["correlation"].items()))
    return (
        m["id"],
        m["name"],
        keys or "-",
        m["status"],
        when(m["received_at"]),
        ",".join(map(str, m["delivered_to"])) or "-",
        m["idempotency_key"],
    )
