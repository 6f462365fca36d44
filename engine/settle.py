"""After the engine ran, bring everything around an instance in line with it, in one place.

Completing a task, firing a timer and delivering a message all end here: the inbox index mirrors the
ready human tasks (those no longer ready withdrawn, the newly ready opened with the people the rules
choose), kept messages are handed to message events that just began to wait, the message
subscriptions follow the waiting events, and the status, due time, state and audit trail are written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine import assignment, correlation, notifications, orgchart
from engine.assignment import Assignment
from engine.bpmn.runner import ReadyTask, WaitingEvent, clock
from engine.bpmn.scripting import evaluate
from engine.errors import ProcessFailed
from engine.runtime import Tx
from engine.services import engine_step
from engine.status import LIVE_INSTANCE_STATUSES, AuditType, InstanceStatus, TaskStatus
from engine.store import TaskRow, dumps
from engine.tasks import TaskSummary
from engine.timeparse import parse_due
from engine.users import Actor
from engine.work import Work, message_waits

MAX_KEPT_DELIVERIES = 20  # kept messages handed over in one step, before we call it a loop


@dataclass(frozen=True)
class Outcome:
    """What a command left behind: the instance's status and its open tasks."""

    instance_id: int
    status: str
    open_tasks: list[TaskSummary]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "status": self.status,
            "open_tasks": [t.to_dict() for t in self.open_tasks],
            "error": self.error,
        }


# -- the inbox index --------------------------------------------------------------------------------


def _expression_failure(ready: ReadyTask, attribute: str, exc: Exception) -> ProcessFailed:
    source = ready.extensions.get(f"source:{attribute}", ready.extensions.get(f"camunda:{attribute}"))
    return ProcessFailed(f"{attribute} {source!r} failed: {type(exc).__name__}: {exc}", ready.bpmn_id)


def _due(tx: Tx, ready: ReadyTask, attribute: str) -> Any:
    expression = ready.extensions.get(f"camunda:{attribute}")
    if expression is None:
        return None
    try:
        with clock(tx.clock.now, tx.settings.tz):  # dateTime() in a due date reads the engine clock
            value = evaluate(expression, ready.data)
        return parse_due(value, tx.clock.now(), tx.settings.tz)
    except Exception as exc:  # any failure of a model's expression is the model's, reported as such
        raise _expression_failure(ready, attribute, exc) from None


def _priority(ready: ReadyTask) -> int:
    expression = ready.extensions.get("camunda:priority")
    if expression is None:
        return 50
    try:
        return int(evaluate(expression, ready.data))
    except Exception as exc:  # a model's bad priority expression is the model's error
        raise _expression_failure(ready, "priority", exc) from None


def open_task(tx: Tx, work: Work, ready: ReadyTask, escalated_from: list[int]) -> TaskRow:
    """Index a newly ready human task, with the people the rules choose; audit it and tell them."""
    chosen = assignment.resolve(ready, orgchart.directory(tx))
    lean = tx.store.lean
    assignee = chosen.assignee  # a NIP names its user: insert_task stores that user's username
    users = tuple(dict.fromkeys(lean.usernames_for(u) or u for u in chosen.candidate_users))
    chosen = replace(chosen, candidate_users=users)
    row = work.row
    task = TaskRow(
        id=0,
        instance_id=row.id,
        spiff_task_id=ready.spiff_id,
        bpmn_id=ready.bpmn_id,
        title=ready.name[:255],
        process_key=row.process_key,
        lane=ready.lane,
        candidate_roles=dumps(list(chosen.candidate_roles)),
        candidate_users=dumps(list(users)),
        assignee=assignee,
        assignment_rule=chosen.rule,
        assignment_detail=dumps(dict(chosen.detail)),
        status=TaskStatus.ASSIGNED if assignee else TaskStatus.OPEN,
        priority=_priority(ready),
        due_at=_due(tx, ready, "dueDate"),
        follow_up_at=_due(tx, ready, "followUpDate"),
        subject_nip=row.subject_nip,
        subject_name=row.subject_name,
        created_at=tx.clock.now(),
        claimed_at=None,
        claimed_by=None,
        completed_at=None,
        completed_by=None,
    )
    lean.insert_task(task)
    if not assignee:
        lean.add_candidates(task.id, chosen.candidate_roles, users, task.due_at)
    work.chain.add(AuditType.TASK_CREATED, _created(work, task, chosen, escalated_from), None)
    kind = "escalated" if escalated_from else "created"
    notifications.enqueue(tx, kind, task, {"escalated_from": escalated_from} if escalated_from else {})
    return task


def _created(work: Work, task: TaskRow, chosen: Assignment, escalated_from: list[int]) -> dict[str, Any]:
    """The audit payload of a new task: its people, the rule that chose them, what set it going."""
    payload: dict[str, Any] = {
        "task_id": task.id,
        "bpmn_id": task.bpmn_id,
        "title": task.title,
        "lane": task.lane,
        "assignee": task.assignee,
        "candidate_roles": list(chosen.candidate_roles),
        "candidate_users": list(chosen.candidate_users),
        "rule": chosen.rule,
        "rule_detail": dict(chosen.detail),
        "due_at": task.due_at,
    }
    if work.causes:  # moved by a timer or a message, not by a person: say which
        payload["trigger"] = [c.describe() for c in work.causes]
    if escalated_from:
        payload["escalated_from"] = escalated_from
    return payload


def close_task(tx: Tx, task: TaskRow, status: TaskStatus, actor: str | None) -> None:
    had_candidates = task.status == TaskStatus.OPEN or task.claimed_by is not None
    task.status = status
    task.completed_at = tx.clock.now()
    task.completed_by = actor
    tx.store.lean.save_task(task)
    if had_candidates:
        tx.store.lean.drop_candidates(task.id)


def _withdraw(tx: Tx, work: Work, task: TaskRow) -> bool:
    """Withdraw a task the process no longer offers; True if an escalation (a timer) withdrew it."""
    close_task(tx, task, TaskStatus.CANCELLED, None)
    cause = next((c for c in work.causes if task.spiff_task_id in c.withdraws), None)
    payload: dict[str, Any] = {"task_id": task.id, "bpmn_id": task.bpmn_id}
    if cause is None:
        interrupter = work.execution.interrupter_of(task.spiff_task_id)
        if interrupter is None:
            payload["reason"] = "withdrawn by the process"
        else:  # an error, escalation, signal or other boundary event the process itself raised
            payload.update(reason=f"interrupted by {interrupter['kind']} event {interrupter['bpmn_id']}")
            payload["event"] = interrupter
        work.chain.add(AuditType.TASK_CANCELLED, payload, None)
        return False
    if cause.event.kind == "timer":
        payload.update(title=task.title, reason="escalated", event=cause.describe())
        work.chain.add(AuditType.TASK_ESCALATED, payload, None)
        return True
    payload.update(reason=f"interrupted by message {cause.event.name}", event=cause.describe())
    work.chain.add(AuditType.TASK_CANCELLED, payload, None)
    return False


def _sync_inbox(
    tx: Tx, work: Work, failure: ProcessFailed | None, known: list[TaskRow] | None
) -> tuple[list[TaskRow], ProcessFailed | None]:
    try:
        ready = {r.spiff_id: r for r in work.execution.ready_tasks()}
    except ProcessFailed as exc:
        ready, failure = {}, failure or exc
    rows = tx.store.lean.active_tasks(work.row.id) if known is None else known
    active = {t.spiff_task_id: t for t in rows}
    escalated_from = [
        active[spiff_id].id
        for spiff_id in sorted(set(active) - set(ready))
        if _withdraw(tx, work, active[spiff_id])
    ]
    for spiff_id in set(active) - set(ready):
        active.pop(spiff_id)
    opened: list[TaskRow] = []
    for spiff_id, item in ready.items():
        if spiff_id in active:
            continue
        try:
            opened.append(open_task(tx, work, item, escalated_from))
        except ProcessFailed as exc:
            failure = failure or exc
    return [*active.values(), *opened], failure


# -- settling ---------------------------------------------------------------------------------------


def settle(
    tx: Tx,
    work: Work,
    actor: Actor,
    failure: ProcessFailed | None = None,
    active: list[TaskRow] | None = None,
) -> Outcome:
    """After the engine ran: sync the inbox index, subscriptions, status, due time and state; audit it.

    ``active``: the instance's open tasks as the caller already read them in this transaction.
    """
    row, execution = work.row, work.execution
    now = tx.clock.now()
    waits: list[WaitingEvent] = []
    if failure is None:
        with engine_step(tx, row.id, row.process_key, actor):
            try:
                waits = _hand_over_kept_messages(tx, work)
            except ProcessFailed as exc:
                failure = exc
    open_now, failure = _sync_inbox(tx, work, failure, active)
    _set_status(work, actor, failure, waits, now)
    live = row.status in LIVE_INSTANCE_STATUSES
    _sync_subscriptions(tx, work, waits if live else [])
    row.state = execution.dump()
    row.next_due_at = _next_due(waits, open_now) if live else None
    row.updated_at = now
    tx.store.lean.save_instance(row)
    work.chain.write()
    return Outcome(row.id, row.status, [TaskSummary.of(t) for t in open_now], row.error)


def _set_status(
    work: Work, actor: Actor, failure: ProcessFailed | None, waits: list[WaitingEvent], now: Any
) -> None:
    row, execution = work.row, work.execution
    if failure is not None:
        row.status = InstanceStatus.ERRORED
        row.error = failure.message
        work.chain.add(
            AuditType.INSTANCE_ERRORED,
            {"element": failure.element, "line": failure.line, "message": failure.message},
            None,
        )
    elif execution.completed:
        row.status = InstanceStatus.COMPLETED
        row.ended_at = now
        row.error = None
        work.chain.add(AuditType.INSTANCE_COMPLETED, {"data": execution.data}, actor.username)
    elif row.status == InstanceStatus.SCHEDULED and not any(w.start for w in waits):
        row.status = InstanceStatus.RUNNING  # its start timer fired


def _next_due(waits: list[WaitingEvent], open_now: list[TaskRow]) -> Any:
    """The earliest waiting timer, or the earliest deadline of an open task not yet reported overdue."""
    moments = [w.due_at for w in waits if w.due_at is not None]
    moments.extend(t.due_at for t in open_now if t.due_at is not None and t.overdue_at is None)
    return min(moments, default=None)


def _sync_subscriptions(tx: Tx, work: Work, waits: list[WaitingEvent]) -> None:
    now_waiting = message_waits(waits)
    if now_waiting == work.subscribed:
        return  # the usual case: nothing to write
    queues = tx.store.queues
    if work.subscribed:
        queues.drop_subscriptions(work.row.id)
    queues.add_subscriptions(
        [
            {
                "instance_id": work.row.id,
                "message_name": w.name or "",
                "bpmn_id": w.bpmn_id,
                "spiff_task_id": w.spiff_id,
                "keys": dumps(dict(w.keys)),
                "created_at": tx.clock.now(),
            }
            for w in waits
            if w.kind == "message"
        ]
    )
    work.subscribed = now_waiting


def _hand_over_kept_messages(tx: Tx, work: Work) -> list[WaitingEvent]:
    """Give message events that just began to wait any kept message for them; return the waits after."""
    for _ in range(MAX_KEPT_DELIVERIES):
        waits = work.execution.waiting_events()
        fresh = [
            w for w in waits if w.kind == "message" and (w.name or "", w.spiff_id) not in work.subscribed
        ]
        fresh = [w for w in fresh if (w.name or "", w.spiff_id) not in work.offered]
        if not fresh:
            return waits
        work.offered.update((w.name or "", w.spiff_id) for w in fresh)
        if not correlation.hand_over_kept(tx, work, fresh):
            return waits
    raise ProcessFailed(f"more than {MAX_KEPT_DELIVERIES} kept messages in a row: a message loop?")
