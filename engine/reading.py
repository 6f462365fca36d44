"""Reading instances: search them, open one with its data and open tasks, read its history; who may.

Who may read an instance: HR and auditors (``SEE_ALL_ROLES``) any; anyone else the instances they
started, those about themselves or someone they assess (``evaluations.may_see``), and those in which
they hold, held or may claim a task. An instance that exists but is not theirs is refused
(PermissionDenied), one that does not exist is NotFound. An auditor's every read is written to the
access log (``engine.access_log``); the caller commits it. Verification is ``inspection.verify_all``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import assignment, evaluations, history, team
from engine.access_log import log_access
from engine.deploy import definition_ref
from engine.errors import NotFound, PermissionDenied
from engine.runtime import Tx
from engine.status import ACTIVE_TASK_STATUSES
from engine.store.records import ProcessInstanceRecord
from engine.tasks import MAX_PAGE, TaskSummary
from engine.users import Actor

SEE_ALL_ROLES = evaluations.SEE_ALL_ROLES  # HR and auditors: the same people the pages let see everything


@dataclass(frozen=True)
class InstanceSummary:
    """An instance as a search lists it (the field names of the API)."""

    id: int
    process_key: str
    version: int
    business_key: str | None
    subject_nip: str | None
    subject_name: str | None
    subject_unit: str | None
    status: str
    started_by: str | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class InstanceView:
    """One instance with the data it holds now and its open tasks."""

    summary: InstanceSummary
    data: dict[str, Any]
    open_tasks: tuple[TaskSummary, ...]


@dataclass(frozen=True)
class InstancePage:
    """One page of a search, with the total."""

    items: list[InstanceSummary]
    total: int
    limit: int
    offset: int


def _summary(tx: Tx, row: ProcessInstanceRecord) -> InstanceSummary:
    return InstanceSummary(
        row.id,
        row.process_key,
        definition_ref(tx, row.definition_id).version,
        row.business_key,
        row.subject_nip,
        row.subject_name,
        row.subject_unit,
        row.status,
        row.started_by,
        row.started_at,
        row.updated_at,
        row.ended_at,
        row.error,
    )


def may_read(tx: Tx, actor: Actor, row: ProcessInstanceRecord) -> bool:
    """Whether this person may read this instance, its data and its history."""
    if actor.roles & SEE_ALL_ROLES or row.started_by == actor.username:
        return True
    if row.subject_nip and evaluations.may_see(tx, actor, row.subject_nip):
        return True
    for task in tx.store.tasks_of_instance(row.id):
        roles, users = tuple(json.loads(task.candidate_roles)), tuple(json.loads(task.candidate_users))
        if assignment.may_see(task, roles, users, actor):
            return True
    return False


def readable(tx: Tx, actor: Actor, instance_id: int) -> ProcessInstanceRecord:
    """An instance the actor may read; NotFound if there is none, PermissionDenied if it is not theirs."""
    row = tx.store.instance(instance_id)
    if row is None:
        raise NotFound(f"no instance {instance_id}")
    if not may_read(tx, actor, row):
        raise PermissionDenied(f"you may not read instance {instance_id}")
    return row


def search(
    tx: Tx,
    actor: Actor,
    *,
    process_key: str | None = None,
    status: str | None = None,
    subject: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> InstancePage:
    """Instances the actor may read, newest first, filtered by process, status and subject NIP."""
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
    only = None
    if not actor.roles & SEE_ALL_ROLES:
        nips = {m.nip for m in team.members(tx, actor)} | ({actor.nip} if actor.nip else set())
        only = (sorted(nips), actor.username)
    rows, total = tx.store.instances(
        process_key=process_key, status=status, subject=subject, limit=limit, offset=offset, only=only
    )
    if actor.read_only:  # an auditor's every look is logged (the caller commits it with the answer)
        log_access(
            tx, actor, "search", None, process_key=process_key, status=status, nip=subject, offset=offset
        )
    return InstancePage([_summary(tx, r) for r in rows], total, limit, offset)


def show(tx: Tx, actor: Actor, instance_id: int) -> InstanceView:
    """One instance: its status, version, current data and open tasks."""
    row = readable(tx, actor, instance_id)
    if actor.read_only:
        log_access(tx, actor, "instance", instance_id)
    active = [t for t in tx.store.tasks_of_instance(row.id) if t.status in ACTIVE_TASK_STATUSES]
    return InstanceView(
        _summary(tx, row), history.current_data(tx, row.id), tuple(TaskSummary.of(t) for t in active)
    )


def history_of(tx: Tx, actor: Actor, instance_id: int) -> list[history.HistoryEvent]:
    """An instance's audit events in order, for those who may read the instance."""
    readable(tx, actor, instance_id)
    if actor.read_only:
        log_access(tx, actor, "instance", instance_id, history=True)
    return history.history(tx, instance_id)
