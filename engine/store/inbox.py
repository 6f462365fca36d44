"""The inbox queries: a person's tasks (mine), the queues they may claim from, what they finished.

Each list is read through an index made for it: ``ix_human_task_mine`` and ``ix_human_task_archive``
(partial, so their status conditions are written as the same literals) and ``ix_task_candidate_queue``
(a queue in due-date order is one range of it). bench/inbox.py measures them at 1,000,000 tasks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from engine.status import ACTIVE_TASK_STATUSES, TaskStatus
from engine.store.records import HumanTaskRecord, ProcessInstanceRecord, TaskCandidateRecord

_BY_DUE = (HumanTaskRecord.due_at.is_(None), HumanTaskRecord.due_at, HumanTaskRecord.id)
_MINE_STATUS = text(f"human_task.status IN ('{TaskStatus.ASSIGNED}', '{TaskStatus.CLAIMED}')")
_OPEN_STATUS = text(f"human_task.status = '{TaskStatus.OPEN}'")
_ARCHIVE_STATUS = text(f"human_task.status = '{TaskStatus.COMPLETED}'")


@dataclass(frozen=True)
class TaskFilter:
    """Narrows an inbox list: one process, and words found in the title or the employee's name or NIP."""

    process_key: str | None = None
    search: str | None = None


def _filtered(stmt: Any, where: TaskFilter | None) -> Any:
    if where is None:
        return stmt
    if where.process_key:
        stmt = stmt.where(HumanTaskRecord.process_key == where.process_key)
    if where.search:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", where.search.lower()) + "%"
        stmt = stmt.where(
            or_(
                func.lower(HumanTaskRecord.title).like(pattern, escape="\\"),
                func.lower(HumanTaskRecord.subject_name).like(pattern, escape="\\"),
                HumanTaskRecord.subject_nip.like(pattern, escape="\\"),
            )
        )
    return stmt


class InboxQueries:
    """The inbox lists, inside one transaction's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def mine(
        self, identities: Sequence[str], limit: int, offset: int, where: TaskFilter | None = None
    ) -> Sequence[HumanTaskRecord]:
        stmt = (
            _filtered(self._mine_query(identities), where)
            .order_by(HumanTaskRecord.due_at.is_(None), HumanTaskRecord.due_at, HumanTaskRecord.id)
            .limit(limit)
            .offset(offset)
        )
        return self._session.scalars(stmt).all()

    def count_mine(self, identities: Sequence[str], where: TaskFilter | None = None) -> int:
        return self._count(_filtered(self._mine_query(identities), where))

    def queue(
        self, username: str, roles: Sequence[str], limit: int, offset: int, where: TaskFilter | None = None
    ) -> Sequence[HumanTaskRecord]:
        if where is not None:  # a filter reads the tasks themselves
            stmt = _filtered(self._queue_query(username, roles), where).order_by(*_BY_DUE)
            return self._session.scalars(stmt.limit(limit).offset(offset)).all()
        # Unfiltered, the page is chosen on the candidate index alone; only its tasks are read.
        page = (
            self._queue_entries(username, roles)
            .order_by(TaskCandidateRecord.due_at.asc().nulls_last(), TaskCandidateRecord.task_id)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        stmt = select(HumanTaskRecord).join(page, page.c.task_id == HumanTaskRecord.id).order_by(*_BY_DUE)
        return self._session.scalars(stmt).all()

    def count_queue(self, username: str, roles: Sequence[str], where: TaskFilter | None = None) -> int:
        if where is not None:
            return self._count(_filtered(self._queue_query(username, roles), where))
        return self._count(self._queue_entries(username, roles))

    def archive(
        self, username: str, limit: int, offset: int, where: TaskFilter | None = None
    ) -> Sequence[HumanTaskRecord]:
        stmt = (
            _filtered(self._archive_query(username), where)
            .order_by(HumanTaskRecord.completed_at.desc(), HumanTaskRecord.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return self._session.scalars(stmt).all()

    def count_archive(self, username: str, where: TaskFilter | None = None) -> int:
        return self._count(_filtered(self._archive_query(username), where))

    # The status conditions are written as literals, exactly as the partial indexes' predicates: a
    # bound parameter would keep SQLite (always) and PostgreSQL (generic plans) from using them.
    def _mine_query(self, identities: Sequence[str]) -> Any:
        return select(HumanTaskRecord).where(HumanTaskRecord.assignee.in_(list(identities)), _MINE_STATUS)

    def _queue_entries(self, username: str, roles: Sequence[str]) -> Any:
        """The open tasks offered to this person, once each (a task may name both them and a role)."""
        who = [f"user:{username}", *(f"role:{r}" for r in roles)]
        return (
            select(TaskCandidateRecord.task_id, TaskCandidateRecord.due_at)
            .where(TaskCandidateRecord.who.in_(who))
            .distinct()
        )

    def _queue_query(self, username: str, roles: Sequence[str]) -> Any:
        candidate_ids = select(self._queue_entries(username, roles).subquery().c.task_id)
        return select(HumanTaskRecord).where(HumanTaskRecord.id.in_(candidate_ids), _OPEN_STATUS)

    def _archive_query(self, username: str) -> Any:
        return select(HumanTaskRecord).where(HumanTaskRecord.completed_by == username, _ARCHIVE_STATUS)

    def _count(self, stmt: Any) -> int:
        return self._session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    def active_about(self, nips: Sequence[str]) -> Sequence[HumanTaskRecord]:
        """The active tasks of the instances about these employees (through the indexed subject)."""
        stmt = (
            select(HumanTaskRecord)
            .join(ProcessInstanceRecord, ProcessInstanceRecord.id == HumanTaskRecord.instance_id)
            .where(
                ProcessInstanceRecord.subject_nip.in_(list(nips)),
                HumanTaskRecord.status.in_(ACTIVE_TASK_STATUSES),
            )
            .order_by(HumanTaskRecord.due_at.is_(None), HumanTaskRecord.due_at, HumanTaskRecord.id)
        )
        return self._session.scalars(stmt).all()
