"""Reading an instance's audit trail as a timeline of events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.errors import NotFound
from engine.runtime import Tx
from engine.status import AuditType


@dataclass(frozen=True)
class HistoryEvent:
    """One audit event, decoded."""

    seq: int
    type: str
    actor: str | None
    at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def summary(self) -> str:
        """One line a person can read."""
        p = self.payload
        if self.type == AuditType.INSTANCE_STARTED:
            return f"{p.get('process_key')} v{p.get('version')} started"
        if self.type == AuditType.TASK_CREATED:
            who = p.get("assignee") or ", ".join(p.get("candidate_roles", []) + p.get("candidate_users", []))
            return f"task {p.get('task_id')} {p.get('title')!r} for {who or '-'} (rule: {p.get('rule')})"
        if self.type == AuditType.TASK_COMPLETED:
            fields = ", ".join(f"{k}={v!r}" for k, v in sorted(p.get("data", {}).items()))
            return f"task {p.get('task_id')} {p.get('title')!r} completed" + (f": {fields}" if fields else "")
        if self.type in (AuditType.TASK_CLAIMED, AuditType.TASK_RELEASED):
            return f"task {p.get('task_id')}"
        if self.type == AuditType.TASK_CANCELLED:
            return f"task {p.get('task_id')} cancelled: {p.get('reason')}"
        if self.type == AuditType.INSTANCE_ERRORED:
            return f"error at {p.get('element') or '?'}: {p.get('message')}"
        if self.type == AuditType.EVENT_THROWN:
            thrown = f"{p.get('kind')} {p.get('code')!r} thrown at task {p.get('task_id')}"
            return f"{thrown}, caught by {p.get('caught_by')}"
        if self.type == AuditType.INSTANCE_CANCELLED:
            return f"reason: {p.get('reason') or '-'}"
        return self._event_summary(p)

    def _event_summary(self, p: dict[str, Any]) -> str:
        """Timers, messages, reminders, escalations and deadlines."""
        event = p.get("event") or {}
        if self.type == AuditType.TIMER_FIRED:
            on = f" on {p.get('attached_to')}" if p.get("attached_to") else ""
            kind = "interrupting " if p.get("interrupting") else ""
            return f"{kind}timer {p.get('bpmn_id')}{on} (due {p.get('due_at')})"
        if self.type == AuditType.MESSAGE_RECEIVED:
            caught_by = ", ".join(p.get("caught_by", []))
            return f"message {p.get('name')} ({p.get('message_id')}) caught by {caught_by}"
        if self.type == AuditType.TASK_REMINDED:
            return f"task {p.get('task_id')} {p.get('title')!r} reminded by timer {event.get('bpmn_id')}"
        if self.type == AuditType.TASK_ESCALATED:
            return f"task {p.get('task_id')} {p.get('title')!r} escalated by timer {event.get('bpmn_id')}"
        if self.type == AuditType.TASK_OVERDUE:
            return f"task {p.get('task_id')} {p.get('title')!r} overdue (due {p.get('due_at')})"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "data": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def history(tx: Tx, instance_id: int) -> list[HistoryEvent]:
    """The ordered events of one instance (they outlive the instance row)."""
    events = tx.store.instance_events(instance_id)
    if not events and tx.store.instance(instance_id) is None:
        raise NotFound(f"no instance {instance_id}")
    return [
        HistoryEvent(e.seq, e.type, e.actor, e.at, json.loads(e.payload), e.prev_hash, e.hash) for e in events
    ]


def current_data(tx: Tx, instance_id: int) -> dict[str, Any]:
    """What an instance holds now: its final data once finished, else that of its newest completed task."""
    data: dict[str, Any] = _execution(tx, instance_id).data
    return data


def passed_elements(tx: Tx, instance_id: int) -> list[str]:
    """The ids of the diagram elements an instance has passed, in order (for a highlighted path)."""
    passed: list[str] = _execution(tx, instance_id).passed_elements()
    return passed


def _execution(tx: Tx, instance_id: int) -> Any:
    # imported here: the runner (SpiffWorkflow) is heavy, and most readers of history never need it
    from engine.bpmn.runner import Execution
    from engine.deploy import definition_ref, model_of

    row = tx.store.instance(instance_id)
    if row is None:
        raise NotFound(f"no instance {instance_id}")
    return Execution.load(model_of(tx, definition_ref(tx, row.definition_id)), row.state)
