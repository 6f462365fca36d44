"""Messages from outside (an IKM survey result, a new regulation, a transfer): delivered, started, or kept.

``deliver`` routes a message by name and correlation keys (see ``engine.correlation``) to every stored
instance waiting for it in a message catch event, receive task, event-based gateway or message
boundary event. If none waits, it starts the newest process whose start event catches that message.
If nothing takes it, it is kept (``pending``) and handed over when a matching event begins to wait.
With an idempotency key a message is delivered once however often it is sent. Every delivery is in
the receiving instance's audit trail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from engine.bpmn.runner import start_messages
from engine.correlation import RESERVED_KEYS, matches, receive
from engine.deploy import definition_ref, model_of
from engine.errors import BadRequest, PermissionDenied
from engine.instances import begin, check_business_key
from engine.runtime import Tx
from engine.services import engine_step
from engine.settle import settle
from engine.status import LIVE_INSTANCE_STATUSES, MessageStatus
from engine.store import dumps
from engine.store.records import ProcessDefinitionRecord
from engine.users import SYSTEM, Actor, check_may_change
from engine.work import load

SENDER_ROLES = frozenset({"admin", "bkpsdm", "pengelola_kinerja"})
RECHECK_WINDOW = timedelta(minutes=10)  # far longer than any transaction a message could race with
RECHECK_LIMIT = 50
MAX_PAYLOAD_BYTES = 256 * 1024
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Delivery:
    """Where a message went."""

    message_id: int
    name: str
    status: str  # delivered | pending (kept: nothing waited for it)
    instance_ids: tuple[int, ...] = ()  # waiting instances that received it
    started: tuple[int, ...] = ()  # instances it started through a message start event
    duplicate: bool = False  # the idempotency key was used before: nothing was delivered this time

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "name": self.name,
            "status": self.status,
            "instance_ids": list(self.instance_ids),
            "started": list(self.started),
            "duplicate": self.duplicate,
        }


def _check(
    name: str, correlation: Any, payload: Any, result_var: str | None, key: str | None
) -> tuple[str, dict[str, Any]]:
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise BadRequest("a message name has 1 to 255 characters")
    if correlation is None:
        correlation = {}
    if not isinstance(correlation, Mapping) or not all(
        isinstance(v, str | int | float | bool) for v in correlation.values()
    ):
        raise BadRequest("correlation must be a JSON object of text, number or boolean values")
    if result_var is not None and not _IDENTIFIER.match(result_var):
        raise BadRequest(f"result variable {result_var!r} is not a valid variable name")
    if result_var is None and payload is not None and not isinstance(payload, Mapping):
        raise BadRequest(
            "payload must be a JSON object (its keys become process variables), or name a result variable"
        )
    if len(dumps(payload)) > MAX_PAYLOAD_BYTES:
        raise BadRequest(f"payload is larger than {MAX_PAYLOAD_BYTES // 1024} KB")
    if key is not None and not 1 <= len(key) <= 255:
        raise BadRequest("an idempotency key has 1 to 255 characters")
    return name, dict(correlation)


def deliver(
    tx: Tx,
    name: str,
    correlation: Mapping[str, Any] | None = None,
    payload: Any = None,
    *,
    actor: Actor,
    result_var: str | None = None,
    idempotency_key: str | None = None,
) -> Delivery:
    """Deliver a message to every instance waiting for it, else start a process with it, else keep it.

    ``result_var`` names the variable the payload lands in; without one the payload (a JSON object)
    is merged into the process data. Runs in the caller's transaction, like every engine command.
    """
    check_may_change(actor)
    if not actor.roles & SENDER_ROLES:
        raise PermissionDenied("you may not send messages to processes")
    name, keys = _check(name, correlation, payload, result_var, idempotency_key)
    if idempotency_key is not None:
        earlier = tx.store.queues.message_by_key(idempotency_key)
        if earlier is not None:
            return _duplicate(earlier)
    now = tx.clock.now()
    message = _record(tx, name, keys, payload, result_var, idempotency_key, actor)
    reached = _to_waiting(tx, message, keys, actor)
    started = () if reached else _to_start_event(tx, message, keys, actor)
    if reached or started:
        tx.store.queues.mark_delivered(message["id"], now, dumps([*reached, *started]), only_pending=False)
        return Delivery(message["id"], name, MessageStatus.DELIVERED, reached, started)
    tx.store.queues.mark_pending(message["id"])
    return Delivery(message["id"], name, MessageStatus.PENDING)


def _record(
    tx: Tx,
    name: str,
    keys: dict[str, Any],
    payload: Any,
    result_var: str | None,
    key: str | None,
    actor: Actor,
) -> dict[str, Any]:
    # Written as taken from the start, so that an instance settling inside this very delivery does
    # not take it a second time as a kept message; made pending at the end if nothing took it.
    message: dict[str, Any] = {
        "name": name,
        "correlation": dumps(keys),
        "payload": dumps(payload if payload is not None else {}),
        "result_var": result_var,
        "idempotency_key": key,
        "status": MessageStatus.DELIVERED,
        "sent_by": actor.username,
        "received_at": tx.clock.now(),
        "delivered_at": None,
        "delivered_to": "[]",
    }
    message["id"] = tx.store.queues.insert_message(message)
    return message


def _duplicate(earlier: Mapping[str, Any]) -> Delivery:
    instance_ids = tuple(json.loads(earlier["delivered_to"] or "[]"))
    return Delivery(earlier["id"], earlier["name"], earlier["status"], instance_ids, (), duplicate=True)


def _to_waiting(tx: Tx, message: dict[str, Any], keys: dict[str, Any], actor: Actor) -> tuple[int, ...]:
    candidates = sorted(
        {
            s["instance_id"]
            for s in tx.store.queues.subscribers(message["name"])
            if matches(keys, json.loads(s["keys"]), s["instance_id"], s["business_key"])
        }
    )
    reached = []
    for instance_id in candidates:  # in id order, so two deliveries lock instances in the same order
        row = tx.store.lean.lock_instance(instance_id)
        if row is None or row.status not in LIVE_INSTANCE_STATUSES:
            continue
        work = load(tx, row)
        with engine_step(tx, row.id, row.process_key, actor):
            taken = receive(tx, work, message, actor.username)
        if taken:
            settle(tx, work, actor)
            reached.append(instance_id)
    return tuple(reached)


def _to_start_event(tx: Tx, message: dict[str, Any], keys: dict[str, Any], actor: Actor) -> tuple[int, ...]:
    definition = _starter(tx, message["name"])
    if definition is None:
        return ()
    data = {k: v for k, v in keys.items() if k not in RESERVED_KEYS}  # the keys name whom it is about
    business_key = check_business_key(tx, definition.key, keys.get("business_key"))
    work = begin(tx, definition, actor, data, business_key)
    with engine_step(tx, work.row.id, work.row.process_key, actor):
        receive(tx, work, message, actor.username)
    settle(tx, work, actor)
    return (work.row.id,)


def _starter(tx: Tx, name: str) -> ProcessDefinitionRecord | None:
    """The most recently deployed process (newest version of its key) a message of this name starts."""
    found = [
        d
        for d in tx.store.latest_definitions()
        if name in start_messages(model_of(tx, definition_ref(tx, d.id)))
    ]
    return max(found, key=lambda d: (d.deployed_at, d.id), default=None)


def hand_over_recent(tx: Tx, window: timedelta = RECHECK_WINDOW, limit: int = RECHECK_LIMIT) -> int:
    """Deliver messages kept in the last minutes that a waiting event matches after all.

    A message and the wait for it can arrive in two transactions at once, neither seeing the other's
    row before it commits; the scheduler's rounds close that gap. Returns how many were delivered.
    """
    now = tx.clock.now()
    delivered = 0
    for message in tx.store.queues.recent_pending(now - window, limit):
        # Taken while it is handed over, so that a receiving instance does not take it as kept too.
        tx.store.queues.mark_delivered(message["id"], now, "[]", only_pending=False)
        reached = _to_waiting(tx, message, json.loads(message["correlation"]), SYSTEM)
        if reached:
            tx.store.queues.mark_delivered(message["id"], now, dumps(list(reached)), only_pending=False)
            delivered += 1
        else:
            tx.store.queues.mark_pending(message["id"])
    return delivered


def kept(tx: Tx, limit: int = 100) -> list[dict[str, Any]]:
    """Messages nothing has taken yet, newest first (for people to look into)."""
    return [_shown(m) for m in tx.store.queues.messages(MessageStatus.PENDING, limit)]


def recent(tx: Tx, limit: int = 100) -> list[dict[str, Any]]:
    """Every message received, newest first."""
    return [_shown(m) for m in tx.store.queues.messages(None, limit)]


def _shown(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": m["id"],
        "name": m["name"],
        "correlation": json.loads(m["correlation"]),
        "payload": json.loads(m["payload"]),
        "result_var": m["result_var"],
        "idempotency_key": m["idempotency_key"],
        "status": m["status"],
        "sent_by": m["sent_by"],
        "received_at": m["received_at"],
        "delivered_at": m["delivered_at"],
        "delivered_to": json.loads(m["delivered_to"] or "[]"),
    }
