"""Reading tasks: the inbox (mine, queue, archive) and one task with its form and data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine import assignment
from engine.bpmn.forms import FormField
from engine.bpmn.runner import Execution
from engine.deploy import definition_ref, model_of
from engine.errors import NotFound, PermissionDenied
from engine.runtime import Tx
from engine.status import TaskScope
from engine.store import TaskFilter, TaskRow
from engine.store.records import HumanTaskRecord
from engine.users import Actor

MAX_PAGE = 200


@dataclass(frozen=True)
class TaskSummary:
    """A task as an inbox lists it (the field names of the API)."""

    id: int
    title: str
    bpmn_id: str
    instance_id: int
    process_key: str
    lane: str | None
    assignee: str | None
    candidate_roles: tuple[str, ...]
    candidate_users: tuple[str, ...]
    status: str
    due_at: datetime | None
    created_at: datetime
    priority: int
    subject_nip: str | None
    subject_name: str | None
    assignment_rule: str
    completed_at: datetime | None
    completed_by: str | None

    @classmethod
    def of(cls, r: HumanTaskRecord | TaskRow) -> TaskSummary:
        return cls(
            r.id,
            r.title,
            r.bpmn_id,
            r.instance_id,
            r.process_key,
            r.lane,
            r.assignee,
            tuple(json.loads(r.candidate_roles)),
            tuple(json.loads(r.candidate_users)),
            r.status,
            r.due_at,
            r.created_at,
            r.priority,
            r.subject_nip,
            r.subject_name,
            r.assignment_rule,
            r.completed_at,
            r.completed_by,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "bpmn_id": self.bpmn_id,
            "instance_id": self.instance_id,
            "process_key": self.process_key,
            "lane": self.lane,
            "assignee": self.assignee,
            "candidate_roles": list(self.candidate_roles),
            "candidate_users": list(self.candidate_users),
            "status": self.status,
            "due_at": _iso(self.due_at),
            "created_at": _iso(self.created_at),
            "priority": self.priority,
            "subject_nip": self.subject_nip,
            "subject_name": self.subject_name,
            "assignment_rule": self.assignment_rule,
            "completed_at": _iso(self.completed_at),
            "completed_by": self.completed_by,
        }


@dataclass(frozen=True)
class TaskDetail:
    """One task with what its page shows: documentation, form and the data in its context."""

    summary: TaskSummary
    documentation: str | None
    form: tuple[FormField, ...]
    data: dict[str, Any]
    assignment_detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary.to_dict(),
            "documentation": self.documentation,
            "form": [f.to_dict() for f in self.form],
            "data": self.data,
            "assignment_detail": self.assignment_detail,
        }


@dataclass(frozen=True)
class Page:
    """One page of a list, with the total."""

    items: list[TaskSummary]
    total: int
    limit: int
    offset: int


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def inbox(
    tx: Tx,
    actor: Actor,
    scope: TaskScope | str,
    limit: int = 50,
    offset: int = 0,
    *,
    process_key: str | None = None,
    search: str | None = None,
) -> Page:
    """The actor's tasks in one scope, sorted by due date (archive: newest first).

    ``process_key`` keeps one process; ``search`` keeps tasks whose title, employee name or NIP
    contains the words.
    """
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    store = tx.store
    scope = TaskScope(scope)
    search = " ".join((search or "").split())[:100] or None
    where = TaskFilter(process_key or None, search) if process_key or search else None
    if scope is TaskScope.MINE:
        rows = store.inbox.mine(actor.identities, limit, offset, where)
        total = store.inbox.count_mine(actor.identities, where)
    elif scope is TaskScope.QUEUE:
        roles = sorted(actor.roles)
        rows = store.inbox.queue(actor.username, roles, limit, offset, where)
        total = store.inbox.count_queue(actor.username, roles, where)
    else:
        rows = store.inbox.archive(actor.username, limit, offset, where)
        total = store.inbox.count_archive(actor.username, where)
    return Page([TaskSummary.of(r) for r in rows], total, limit, offset)


def counts(tx: Tx, actor: Actor) -> dict[TaskScope, int]:
    """How many tasks the actor has in each scope (what the inbox's tabs show)."""
    store = tx.store
    return {
        TaskScope.MINE: store.inbox.count_mine(actor.identities),
        TaskScope.QUEUE: store.inbox.count_queue(actor.username, sorted(actor.roles)),
        TaskScope.ARCHIVE: store.inbox.count_archive(actor.username),
    }


def visible_task(tx: Tx, task_id: int, actor: Actor) -> HumanTaskRecord:
    """A task the actor may see; anyone else's task is NotFound, so ids reveal nothing.

    A task once offered to the actor's queue and since taken by someone else is PermissionDenied: they
    knew of it already (claiming it would say it was taken), but what it holds is no longer theirs.
    """
    record = tx.store.task(task_id)
    if record is None:
        raise NotFound(f"no task {task_id}")
    roles = tuple(json.loads(record.candidate_roles))
    users = tuple(json.loads(record.candidate_users))
    if not assignment.may_see(record, roles, users, actor):
        if assignment.is_candidate(record, roles, users, actor):
            raise PermissionDenied(f"task {task_id} was taken by someone else")
        raise NotFound(f"no task {task_id}")
    return record


def show(tx: Tx, task_id: int, actor: Actor) -> TaskDetail:
    """One task with its form and the data it shows."""
    record = visible_task(tx, task_id, actor)
    instance = tx.store.instance(record.instance_id)
    if instance is None:
        raise NotFound(f"no task {task_id}")
    model = model_of(tx, definition_ref(tx, instance.definition_id))
    execution = Execution.load(model, instance.state)
    info = execution.task_info(record.spiff_task_id)
    return TaskDetail(
        TaskSummary.of(record),
        info.documentation,
        info.form,
        info.data,
        json.loads(record.assignment_detail),
    )
