"""The log of looks at the audit trail and at evaluations by auditors: who, when, what, with which
parameters; one row per look, written in the transaction of the look itself (append-only)."""

from __future__ import annotations

from typing import Any

from engine.runtime import Tx
from engine.store import dumps
from engine.store.records import AuditAccessRecord
from engine.users import Actor

# search | export | instance | pack | verify | log (the audit pages); record | evaluation (an
# employee's performance pages, when an auditor opens them)
ACTIONS = ("search", "export", "instance", "pack", "verify", "log", "record", "evaluation")


def log_access(tx: Tx, actor: Actor, action: str, instance_id: int | None = None, **params: Any) -> None:
    """Write one look to the access log (the caller commits it with the look)."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    tx.store.add(
        AuditAccessRecord(
            actor=actor.username,
            at=tx.clock.now(),
            action=action,
            instance_id=instance_id,
            params=dumps(kept),
        )
    )
