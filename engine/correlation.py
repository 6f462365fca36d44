"""Which waiting instance a message is for, and handing it over.

A message names correlation keys, e.g. ``{"nip": "1990...", "periode": "2027"}``. A waiting message
event matches when every key equals: ``business_key`` the instance's business key, ``instance_id``
its id, and any other key the process variable of that name as it stood when the event began to wait
(a waiting task's data does not change while it waits). Values compare as text, so a NIP given as a
number still finds its instance. No keys at all match every waiting event of that name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from engine.bpmn.runner import WaitingEvent
from engine.runtime import Tx
from engine.status import AuditType
from engine.store import dumps
from engine.work import Cause, Work

RESERVED_KEYS = ("business_key", "instance_id")


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def matches(
    correlation: Mapping[str, Any], keys: Mapping[str, Any], instance_id: int, business_key: str | None
) -> bool:
    """True if every correlation key equals what the waiting instance holds for it."""
    for name, wanted in correlation.items():
        if name == "business_key":
            held: Any = business_key
        elif name == "instance_id":
            held = instance_id
        elif name in keys:
            held = keys[name]
        else:
            return False
        if held is None or _text(held) != _text(wanted):
            return False
    return True


def receive(
    tx: Tx,
    work: Work,
    message: Mapping[str, Any],
    actor: str | None,
) -> bool:
    """Hand one message (a ``message`` row's values) to a loaded instance; audit it. False if unwanted."""
    execution = work.execution
    name = message["name"]
    waiting = [w for w in execution.waiting_events() if w.kind == "message" and w.name == name]
    if not waiting:
        return False
    causes = [Cause(w, execution.withdrawn_by(w), message["id"]) for w in waiting]
    payload = json.loads(message["payload"]) if isinstance(message["payload"], str) else message["payload"]
    if not execution.deliver(name, payload, message.get("result_var")):
        return False
    work.causes.extend(causes)
    work.chain.add(
        AuditType.MESSAGE_RECEIVED,
        {
            "message_id": message["id"],
            "name": name,
            "correlation": _decoded(message["correlation"]),
            "payload": payload,
            "result_var": message.get("result_var"),
            "caught_by": [w.bpmn_id for w in waiting],
        },
        actor,
    )
    return True


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def hand_over_kept(tx: Tx, work: Work, fresh: Sequence[WaitingEvent]) -> bool:
    """Deliver the oldest kept message that one of these newly waiting events matches; True if one was."""
    names = sorted({w.name or "" for w in fresh})
    row = work.row
    for message in tx.store.queues.pending_messages(names):
        wanted = _decoded(message["correlation"]) or {}
        if not any(
            w.name == message["name"] and matches(wanted, w.keys, row.id, row.business_key) for w in fresh
        ):
            continue
        # Take it only if no other transaction took it first: the update is the claim (and the row
        # lock until commit); the message is no longer pending while this instance settles.
        if not tx.store.queues.mark_delivered(
            message["id"], tx.clock.now(), dumps([row.id]), only_pending=True
        ):
            continue
        if receive(tx, work, message, message.get("sent_by")):
            return True
        tx.store.queues.mark_pending(message["id"])  # the process's own correlation refused it after all
    return False
