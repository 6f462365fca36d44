"""Engine commands on instances and their tasks: start, claim, release, complete, cancel.

Each command runs inside the transaction it is given and never commits: the CLI, a web view or a
worker commits. Every command that changes an instance locks its row first (``FOR UPDATE`` on
PostgreSQL; SQLite writers hold the database) and writes it back with a row-version check, so two
people completing one task cannot both win.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine import assignment, training
from engine.audit import InstanceChain, canonical
from engine.bpmn.forms import validate_submission
from engine.bpmn.runner import Execution
from engine.deploy import definition_ref, latest, model_of
from engine.errors import BadRequest, Conflict, NotFound, PermissionDenied, ProcessFailed
from engine.runtime import Tx
from engine.services import engine_step
from engine.settle import Outcome, close_task, settle

__all__ = [
    "Outcome",
    "begin",
    "cancel",
    "check_business_key",
    "check_may_complete",
    "claim",
    "complete",
    "release",
    "start",
]
from engine.status import ACTIVE_TASK_STATUSES, AuditType, InstanceStatus, TaskStatus
from engine.store import InstanceRow, TaskRow, dumps
from engine.store.records import ProcessDefinitionRecord
from engine.tasks import TaskSummary
from engine.users import Actor, check_may_change
from engine.work import Work, load

# Start data keys that name whose evaluation an instance is (indexed for search and inbox display).
SUBJECT_KEYS = {"nip": "subject_nip", "nama": "subject_name", "unit": "subject_unit"}
CANCEL_ROLES = frozenset({"admin", "bkpsdm", "pengelola_kinerja"})
MAX_DATA_BYTES = 256 * 1024


# -- helpers ----------------------------------------------------------------------------------------


def _check_data(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise BadRequest("data must be a JSON object")
    if len(dumps(dict(data))) > MAX_DATA_BYTES:
        raise BadRequest(f"data is larger than {MAX_DATA_BYTES // 1024} KB")
    return dict(data)


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys whose values differ, with both values (JSON-safe)."""
    changed = {}
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is now or (type(was) is type(now) and was == now):
            continue  # most keys: unchanged, and no need to spell them out to know it
        old, new = canonical(was), canonical(now)
        if old != new:
            changed[key] = {"from": json.loads(old), "to": json.loads(new)}
    return changed


def _lock_task(tx: Tx, task_id: int, actor: Actor) -> tuple[TaskRow, InstanceRow, list[TaskRow]]:
    """Lock the task's instance, then read the task and the instance's active tasks as they are now
    (the task among them while it is active); hide tasks the actor may not see."""
    instance = tx.store.lean.lock_instance_of_task(task_id)
    task, active = tx.store.lean.task_and_active(task_id, instance.id) if instance else (None, [])
    if instance is None or task is None:
        raise NotFound(f"no task {task_id}")
    roles, users = tuple(json.loads(task.candidate_roles)), tuple(json.loads(task.candidate_users))
    if not assignment.may_see(task, roles, users, actor):
        if assignment.is_candidate(task, roles, users, actor):  # it was in their queue: say what happened
            raise Conflict(
                f"task {task_id} is already {'taken' if task.status == TaskStatus.CLAIMED else task.status}"
            )
        raise NotFound(f"no task {task_id}")
    if task.status not in ACTIVE_TASK_STATUSES:
        raise Conflict(f"task {task_id} is already {task.status}")
    return task, instance, active


def check_may_complete(tx: Tx, task_id: int, actor: Actor) -> None:
    """Someone holding a read-only role completes only a task the process assigned to them personally
    (their own work as an employee); any other task is refused (ReadOnly) before it is looked at."""
    if not actor.read_only:
        return
    task = tx.store.lean.task(task_id)
    if task is None or task.status != TaskStatus.ASSIGNED or task.assignee not in actor.identities:
        check_may_change(actor)


# -- commands ---------------------------------------------------------------------------------------


def start(
    tx: Tx,
    key: str,
    actor: Actor,
    data: Mapping[str, Any] | None = None,
    business_key: str | None = None,
) -> Outcome:
    """Start the newest version of a process; an engine failure at start refuses it and stores nothing."""
    check_may_change(actor)
    values = _check_data(data)
    definition = _latest(tx, key)
    model = model_of(tx, definition_ref(tx, definition.id))
    _check_may_start(model.starter_groups, model.starter_users, actor)
    work = begin(tx, definition, actor, values, check_business_key(tx, key, business_key))
    outcome = settle(tx, work, actor)
    if outcome.error is not None:
        raise ProcessFailed(f"the process cannot start: {outcome.error}")
    return outcome


def check_business_key(tx: Tx, key: str, business_key: str | None) -> str | None:
    """A business key trimmed, refused if malformed or already taken for this process."""
    if business_key is None:
        return None
    business_key = business_key.strip()
    if not business_key or len(business_key) > 255:
        raise BadRequest("a business key has 1 to 255 characters")
    if tx.store.lean.business_key_taken(key, business_key):
        raise Conflict(f"an instance of {key} with business key {business_key!r} already exists")
    return business_key


def begin(
    tx: Tx,
    definition: ProcessDefinitionRecord,
    actor: Actor,
    values: dict[str, Any],
    business_key: str | None = None,
    start_cycle: Mapping[str, Any] | None = None,
) -> Work:
    """Create an instance of a definition, run it to its first wait and audit its start; not settled yet.

    An instance whose start event waits for a timer is ``scheduled`` until the timer fires.
    """
    model = model_of(tx, definition_ref(tx, definition.id))
    with engine_step(tx, None, definition.key, actor):  # not stored yet: handlers see no instance id
        execution = Execution.start(model, values, start_cycle)
        waiting_to_begin = any(w.start and w.kind == "timer" for w in execution.waiting_events())
    status = InstanceStatus.SCHEDULED if waiting_to_begin else InstanceStatus.RUNNING
    row, chain = insert_started(tx, definition, actor, values, business_key, status=status, state="{}")
    return Work(row, execution, chain)


def insert_started(
    tx: Tx,
    definition: Any,
    actor: Actor,
    values: dict[str, Any],
    business_key: str | None,
    *,
    status: InstanceStatus,
    state: str,
) -> tuple[InstanceRow, InstanceChain]:
    """Insert a new instance's row and audit its start (for ``begin`` and batch starts)."""
    now = tx.clock.now()
    subject = {
        column: str(values[k])[:255] for k, column in SUBJECT_KEYS.items() if values.get(k) is not None
    }
    row = InstanceRow(
        id=0,
        definition_id=definition.id,
        process_key=definition.key,
        business_key=business_key,
        subject_nip=subject.get("subject_nip"),
        subject_name=subject.get("subject_name"),
        subject_unit=subject.get("subject_unit"),
        status=status,
        state=state,
        next_due_at=None,
        row_version=1,
        started_by=actor.username,
        started_at=now,
        updated_at=now,
        ended_at=None,
        error=None,
        audit_seq=0,
        audit_head=None,
    )
    row.id = tx.store.lean.insert_instance({k: getattr(row, k) for k in row.__slots__})
    chain = InstanceChain(tx, row)
    chain.add(
        AuditType.INSTANCE_STARTED,
        {
            "process_key": definition.key,
            "version": definition.version,
            "definition_sha256": definition.sha256,
            "business_key": business_key,
            "data": values,
        },
        actor.username,
    )
    return row, chain


def _latest(tx: Tx, key: str) -> Any:
    """The newest definition of a key, read once per transaction (a batch starts thousands)."""
    memo: dict[str, Any] = tx.memo.setdefault("latest_definitions", {})
    if key not in memo:
        memo[key] = latest(tx, key)
    return memo[key]


def _check_may_start(groups: tuple[str, ...] | None, users: tuple[str, ...] | None, actor: Actor) -> None:
    if (groups is None and users is None) or actor.has("admin"):
        return
    if actor.username in (users or ()) or actor.roles.intersection(groups or ()):
        return
    raise PermissionDenied("you may not start this process")


def _take(tx: Tx, task: TaskRow, actor: Actor) -> None:
    task.status = TaskStatus.CLAIMED
    task.assignee = actor.username
    task.claimed_at = tx.clock.now()
    task.claimed_by = actor.username


def _touch(tx: Tx, instance: InstanceRow, chain: InstanceChain) -> None:
    instance.updated_at = tx.clock.now()
    tx.store.lean.save_instance(instance)
    chain.write()


def claim(tx: Tx, task_id: int, actor: Actor) -> TaskSummary:
    """Take an open task from a queue into one's own inbox."""
    check_may_change(actor)
    task, instance, _active = _lock_task(tx, task_id, actor)
    if task.status != TaskStatus.OPEN:
        if task.assignee in actor.identities:
            raise Conflict(f"task {task_id} is already yours")
        raise Conflict(f"task {task_id} is already taken")
    assignment.check_may_claim(
        task, tuple(json.loads(task.candidate_roles)), tuple(json.loads(task.candidate_users)), actor
    )
    chain = InstanceChain(tx, instance)
    _take(tx, task, actor)
    chain.add(AuditType.TASK_CLAIMED, {"task_id": task.id}, actor.username)
    tx.store.lean.save_task(task)
    tx.store.lean.drop_candidates(task.id)  # out of the queue while someone holds it
    _touch(tx, instance, chain)
    return TaskSummary.of(task)


def release(tx: Tx, task_id: int, actor: Actor) -> TaskSummary:
    """Give a claimed task back to its queue."""
    check_may_change(actor)
    task, instance, _active = _lock_task(tx, task_id, actor)
    if task.status == TaskStatus.ASSIGNED:
        raise Conflict(f"task {task_id} was assigned to you by the process; it cannot go back to a queue")
    if task.status != TaskStatus.CLAIMED or task.assignee not in actor.identities:
        raise Conflict(f"task {task_id} is not claimed by you")
    task.status = TaskStatus.OPEN
    task.assignee = None
    task.claimed_at = None
    task.claimed_by = None
    tx.store.lean.save_task(task)
    tx.store.lean.add_candidates(
        task.id, json.loads(task.candidate_roles), json.loads(task.candidate_users), task.due_at
    )
    chain = InstanceChain(tx, instance)
    chain.add(AuditType.TASK_RELEASED, {"task_id": task.id}, actor.username)
    _touch(tx, instance, chain)
    return TaskSummary.of(task)


def complete(tx: Tx, task_id: int, data: Mapping[str, Any] | None, actor: Actor) -> Outcome:
    """Complete a task with form data: validated, run, indexed and audited in this one transaction.

    Bad data changes nothing (ValidationFailed). A failure of the process after the person's work is
    accepted marks the instance errored, keeping the work, rather than losing it.
    """
    check_may_complete(tx, task_id, actor)
    values = _check_data(data)
    task, instance, active = _lock_task(tx, task_id, actor)
    assignment.check_may_complete(
        task, tuple(json.loads(task.candidate_roles)), tuple(json.loads(task.candidate_users)), actor
    )
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(f"instance {instance.id} is {instance.status}")
    work = load(tx, instance)
    info = work.execution.task_info(task.spiff_task_id)
    clean = validate_submission(info.form, values, info.data, tx.settings.accept_undeclared_task_data)
    if task.status == TaskStatus.OPEN:
        _take(tx, task, actor)  # straight from the queue: the completion event names who took it
    failure = None
    with engine_step(tx, instance.id, instance.process_key, actor):
        try:
            work.execution.complete(task.spiff_task_id, clean)
        except ProcessFailed as exc:
            failure = exc
    close_task(tx, task, TaskStatus.COMPLETED, actor.username)
    training.credit(tx, info.form, clean, info.data, task, instance, actor)
    work.chain.add(
        AuditType.TASK_COMPLETED,
        {
            "task_id": task.id,
            "bpmn_id": task.bpmn_id,
            "title": task.title,
            "data": clean,
            "changes": _changes(info.data, work.execution.data),
        },
        actor.username,
    )
    return settle(tx, work, actor, failure, [t for t in active if t is not task])


def cancel(tx: Tx, instance_id: int, actor: Actor, reason: str | None = None) -> Outcome:
    """Stop a running instance: its open tasks are withdrawn and nothing further happens."""
    check_may_change(actor)
    instance = tx.store.lean.lock_instance(instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    if not actor.roles & CANCEL_ROLES and instance.started_by != actor.username:
        raise PermissionDenied("you may not cancel this instance")
    if instance.status not in (InstanceStatus.SCHEDULED, InstanceStatus.RUNNING, InstanceStatus.ERRORED):
        raise Conflict(f"instance {instance_id} is already {instance.status}")
    work = load(tx, instance)
    work.execution.cancel()
    for task in tx.store.lean.active_tasks(instance.id):
        close_task(tx, task, TaskStatus.CANCELLED, None)
        work.chain.add(
            AuditType.TASK_CANCELLED,
            {"task_id": task.id, "bpmn_id": task.bpmn_id, "reason": "instance cancelled"},
            actor.username,
        )
    now = tx.clock.now()
    instance.status = InstanceStatus.CANCELLED
    instance.ended_at = now
    instance.updated_at = now
    instance.next_due_at = None
    instance.state = work.execution.dump()
    if work.subscribed:
        tx.store.queues.drop_subscriptions(instance.id)
    work.chain.add(AuditType.INSTANCE_CANCELLED, {"reason": reason}, actor.username)
    tx.store.lean.save_instance(instance)
    work.chain.write()
    return Outcome(instance.id, instance.status, [])
