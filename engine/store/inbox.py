"""The inbox queries: a person's tasks (mine), the queues they may claim from, what they finished.

Each list is read through an index made for it: ``ix_human_task_mine`` and ``ix_human_task_archive``
(partial, so their status conditions are written as the same literals) and ``ix_task_candidate_queue``
(a queue in due-date order is one range of it). bench/inbox.py measures them at 1,000,000 tasks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, distinct, func, or_, select, text, union
from sqlalchemy.orm import Session

from engine.status import ACTIVE_TASK_STATUSES, TaskStatus
from engine.store.lean import TaskRow
from engine.store.records import HumanTaskRecord, ProcessInstanceRecord, TaskCandidateRecord

_TASK = HumanTaskRecord.__table__
_CANDIDATE = TaskCandidateRecord.__table__
_BY_DUE = (_TASK.c.due_at.is_(None), _TASK.c.due_at, _TASK.c.id)
_MINE_STATUS = text(f"human_task.status IN ('{TaskStatus.ASSIGNED}', '{TaskStatus.CLAIMED}')")
_OPEN_STATUS = text(f"human_task.status = '{TaskStatus.OPEN}'")
_ARCHIVE_STATUS = text(f"human_task.status = '{TaskStatus.COMPLETED}'")


def _who(username: str, roles: Sequence[str]) -> list[str]:
    """The candidate entries that offer a task to this person: their user and each of their roles."""
    return [f"user:{username}", *(f"role:{r}" for r in roles)]


@dataclass(frozen=True)
class TaskFilter:
    """Narrows an inbox list: one process, and words found in the title or the employee's name or NIP."""

    process_key: str | None = None
    search: str | None = None


def _filtered(stmt: Any, where: TaskFilter | None) -> Any:
    if where is None:
        return stmt
    if where.process_key:
        stmt = stmt.where(_TASK.c.process_key == where.process_key)
    if where.search:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", where.search.lower()) + "%"
        stmt = stmt.where(
            or_(
                func.lower(_TASK.c.title).like(pattern, escape="\\"),
                func.lower(_TASK.c.subject_name).like(pattern, escape="\\"),
                _TASK.c.subject_nip.like(pattern, escape="\\"),
            )
        )
    return stmt


_ROW = select(*(_TASK.c[f.name] for f in fields(TaskRow)))  # a task as the lean TaskRow, no ORM objects


@lru_cache(maxsize=32)
def _queue_page(entries: int) -> Any:
    """The statement of a queue page for a person with this many candidate entries (user + roles).

    Each entry (``who_0``, ``who_1``...) is read in index order, dated tasks then undated ones, only as
    far as the page reaches; the page is the first of their union; only its tasks are then read. A big
    queue thus costs a page, not its length. Built once per shape: building it is dearer than running it.
    """
    c, reach = _CANDIDATE.c, bindparam("reach", type_=Integer)
    parts = []
    for i in range(entries):
        name = bindparam(f"who_{i}", type_=String)
        dated = select(c.task_id, c.due_at).where(c.who == name, c.due_at.is_not(None))
        undated = select(c.task_id, c.due_at).where(c.who == name, c.due_at.is_(None))
        parts.append(dated.order_by(c.due_at, c.task_id).limit(reach).subquery())
        parts.append(undated.order_by(c.task_id).limit(reach).subquery())
    found = union(*(select(p.c.task_id, p.c.due_at) for p in parts)).subquery()
    page = (
        select(found.c.task_id)
        .order_by(found.c.due_at.is_(None), found.c.due_at, found.c.task_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    return _ROW.join_from(_TASK, page, page.c.task_id == _TASK.c.id).order_by(*_BY_DUE)


class InboxQueries:
    """The inbox lists, inside one transaction's session; tasks come back as lean TaskRows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[TaskRow]:
        return [TaskRow(**row) for row in self._session.execute(stmt, params or {}).mappings()]

    def mine(
        self, identities: Sequence[str], limit: int, offset: int, where: TaskFilter | None = None
    ) -> list[TaskRow]:
        stmt = _filtered(_ROW.where(*self._mine(identities)), where).order_by(*_BY_DUE)
        return self._rows(stmt.limit(limit).offset(offset))

    def count_mine(self, identities: Sequence[str], where: TaskFilter | None = None) -> int:
        return self._count(_filtered(select(_TASK.c.id).where(*self._mine(identities)), where))

    def queue(
        self, username: str, roles: Sequence[str], limit: int, offset: int, where: TaskFilter | None = None
    ) -> list[TaskRow]:
        who = _who(username, roles)
        if where is not None:  # a filter reads the tasks themselves
            stmt = _filtered(_ROW.where(*self._queue(who)), where).order_by(*_BY_DUE)
            return self._rows(stmt.limit(limit).offset(offset))
        params = {f"who_{i}": name for i, name in enumerate(who)}
        return self._rows(
            _queue_page(len(who)), {**params, "reach": limit + offset, "limit": limit, "offset": offset}
        )

    def count_queue(self, username: str, roles: Sequence[str], where: TaskFilter | None = None) -> int:
        who = _who(username, roles)
        if where is not None:
            return self._count(_filtered(select(_TASK.c.id).where(*self._queue(who)), where))
        offered = _CANDIDATE.c.who.in_(who)
        return self._session.scalar(select(func.count(distinct(_CANDIDATE.c.task_id))).where(offered)) or 0

    def archive(
        self, username: str, limit: int, offset: int, where: TaskFilter | None = None
    ) -> list[TaskRow]:
        stmt = _filtered(_ROW.where(*self._archive(username)), where)
        stmt = stmt.order_by(_TASK.c.completed_at.desc(), _TASK.c.id.desc())
        return self._rows(stmt.limit(limit).offset(offset))

    def count_archive(self, username: str, where: TaskFilter | None = None) -> int:
        return self._count(_filtered(select(_TASK.c.id).where(*self._archive(username)), where))

    # The status conditions are written as literals, exactly as the partial indexes' predicates: a
    # bound parameter would keep SQLite (always) and PostgreSQL (generic plans) from using them.
    @staticmethod
    def _mine(identities: Sequence[str]) -> tuple[Any, ...]:
        return (_TASK.c.assignee.in_(list(identities)), _MINE_STATUS)

    @staticmethod
    def _queue(who: list[str]) -> tuple[Any, ...]:
        offered = select(_CANDIDATE.c.task_id).where(_CANDIDATE.c.who.in_(who))
        return (_TASK.c.id.in_(offered), _OPEN_STATUS)

    @staticmethod
    def _archive(username: str) -> tuple[Any, ...]:
        return (_TASK.c.completed_by == username, _ARCHIVE_STATUS)

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
