"""Firing what is due: timers (intermediate, boundary, start), and deadlines of open tasks.

Each instance's ``next_due_at`` (indexed) is the earliest of its waiting timers and of the due dates of
its open tasks not yet reported overdue; ``settle`` keeps it. ``fire_due`` handles one locked instance
under the engine clock: the timers fire and the engine runs on, a non-interrupting boundary timer on a
human task is a reminder and an interrupting one an escalation (both audited with the timer), and a
task past its due date is reported overdue once. Every step goes through the shared bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import notifications
from engine.bpmn.runner import WaitingEvent, clock, starts_on_timer
from engine.clock import ManualClock
from engine.deploy import definition_ref, model_of
from engine.errors import ProcessFailed
from engine.instances import begin, cancel
from engine.runtime import Tx
from engine.services import engine_step
from engine.settle import settle
from engine.status import LIVE_INSTANCE_STATUSES, AuditType, InstanceStatus
from engine.store import TaskRow
from engine.store.records import ProcessDefinitionRecord
from engine.users import SYSTEM, Actor
from engine.work import Cause, Work, load


@dataclass(frozen=True)
class Firing:
    """What ``fire_due`` did to one instance."""

    instance_id: int
    fired: tuple[str, ...]  # BPMN ids of the timers that fired
    overdue: tuple[int, ...]  # tasks reported overdue
    status: str
    successor: int | None = None  # the instance a cycling start timer began for its next repetition


def claim_due(tx: Tx, limit: int) -> list[int]:
    """Lock up to ``limit`` instances that are due by the engine clock (others' locked rows skipped)."""
    return tx.store.queues.claim_due(tx.clock.now(), limit)


def fire_due(tx: Tx, instance_id: int, actor: Actor = SYSTEM) -> Firing | None:
    """Fire what is due in one instance (locking it); None if nothing is due any more."""
    row = tx.store.lean.lock_instance(instance_id)
    now = tx.clock.now()
    if (
        row is None
        or row.status not in LIVE_INSTANCE_STATUSES
        or row.next_due_at is None
        or row.next_due_at > now
    ):
        return None  # another worker got there first, or it was cancelled meanwhile
    work = load(tx, row)
    active = tx.store.lean.active_tasks(row.id)
    failure = None
    with engine_step(tx, row.id, row.process_key, actor):
        due = [w for w in work.execution.waiting_events() if w.due_at is not None and w.due_at <= now]
        work.causes.extend(Cause(w, work.execution.withdrawn_by(w)) for w in due)
        reminded = {w.spiff_id: work.execution.attached_human_tasks(w) for w in due if _reminder(w)}
        try:
            fired = work.execution.fire_timers()
        except ProcessFailed as exc:
            fired, failure = [], exc
    for event in fired:
        work.chain.add(AuditType.TIMER_FIRED, event.label, None)
        _remind(tx, work, event, [t for t in active if t.spiff_task_id in reminded.get(event.spiff_id, ())])
    withdrawn = {spiff_id for c in work.causes for spiff_id in c.withdraws}
    overdue = [t for t in active if _overdue(t, now) and t.spiff_task_id not in withdrawn]
    for task in overdue:
        _report_overdue(tx, work, task)
    successor = _carry_on_start_cycle(tx, work, fired) if failure is None else None
    outcome = settle(tx, work, actor, failure, active)
    return Firing(
        row.id, tuple(e.bpmn_id for e in fired), tuple(t.id for t in overdue), outcome.status, successor
    )


def fire_waiting(tx: Tx, instance_id: int, actor: Actor = SYSTEM) -> Firing | None:
    """Fire every timer the instance waits for now, as if their moments had come (tests, compat runs).

    The instance's clock for this step is the latest of those moments, so everything it records
    (audit times, durations started by what follows) reads as if it happened then.
    """
    row = tx.store.lean.lock_instance(instance_id)
    if row is None or row.status not in LIVE_INSTANCE_STATUSES:
        return None
    work = load(tx, row)
    with clock(tx.clock.now, tx.settings.tz):
        moments = [w.due_at for w in work.execution.waiting_events() if w.due_at is not None]
    if not moments:
        return None
    then = max(max(moments), tx.clock.now())
    return fire_due(Tx(tx.store, ManualClock(then), tx.settings, tx.services), instance_id, actor)


def _reminder(event: WaitingEvent) -> bool:
    return event.kind == "timer" and event.attached_to is not None and not event.interrupting


def _overdue(task: TaskRow, now: Any) -> bool:
    return task.due_at is not None and task.due_at <= now and task.overdue_at is None


def _remind(tx: Tx, work: Work, event: WaitingEvent, tasks: list[TaskRow]) -> None:
    for task in tasks:
        work.chain.add(
            AuditType.TASK_REMINDED,
            {"task_id": task.id, "bpmn_id": task.bpmn_id, "title": task.title, "event": event.label},
            None,
        )
        notifications.enqueue(tx, "reminder", task, {"event": event.bpmn_id})


def _report_overdue(tx: Tx, work: Work, task: TaskRow) -> None:
    now = tx.clock.now()
    tx.store.queues.mark_overdue(task.id, now)
    task.overdue_at = now
    work.chain.add(
        AuditType.TASK_OVERDUE,
        {"task_id": task.id, "bpmn_id": task.bpmn_id, "title": task.title, "due_at": task.due_at},
        None,
    )
    notifications.enqueue(tx, "overdue", task)


def _carry_on_start_cycle(tx: Tx, work: Work, fired: list[WaitingEvent]) -> int | None:
    """A cycling start timer fired: this instance is that repetition; a new one waits for the next.

    Only for the newest version of the process: an older one's schedule ended when the newer was
    deployed with its own.
    """
    for event in fired:
        if not event.start:
            continue
        with clock(tx.clock.now, tx.settings.tz):
            remaining = work.execution.stop_start_cycle(event)
        newest = tx.store.latest_definition(work.row.process_key)
        if remaining is None or newest is None or newest.id != work.row.definition_id:
            continue
        successor = begin(tx, newest, SYSTEM, {}, start_cycle=remaining)
        settle(tx, successor, SYSTEM)
        return successor.row.id
    return None


def schedule_start(tx: Tx, definition: ProcessDefinitionRecord, actor: Actor) -> int | None:
    """After a deployment: if the process begins with a timer, create the instance that waits for it.

    An older version's instance still waiting for its start timer is cancelled: the newest schedule wins.
    """
    if not starts_on_timer(model_of(tx, definition_ref(tx, definition.id))):
        return None
    waiting, _total = tx.store.instances(
        process_key=definition.key, status=InstanceStatus.SCHEDULED, limit=1000
    )
    for record in waiting:
        if record.definition_id != definition.id:
            cancel(tx, record.id, actor, f"superseded by version {definition.version}")
    work = begin(tx, definition, actor, {})
    settle(tx, work, actor)
    return work.row.id
