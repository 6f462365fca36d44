"""A supervisor's team: the employees they rate (as the org chart says today), each one's stage and what
is late. Only people the actor is penilai of appear, so nobody sees another supervisor's team here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine import orgchart
from engine.runtime import Tx
from engine.tasks import TaskSummary
from engine.users import Actor


@dataclass(frozen=True)
class Member:
    """One team member and the work waiting in their evaluations."""

    nip: str
    name: str
    jabatan: str
    open_tasks: tuple[TaskSummary, ...]
    late: tuple[TaskSummary, ...]

    @property
    def stage(self) -> TaskSummary | None:
        """The step their evaluation waits at (the open task due first)."""
        return self.open_tasks[0] if self.open_tasks else None


def members(tx: Tx, actor: Actor) -> list[Member]:
    """The employees whose penilai is the actor: direct reports, and those of a post they act for."""
    if actor.nip is None:
        return []
    chart = orgchart.directory(tx)
    posts = {actor.nip} | {
        a.official_nip for a in tx.store.org.acting_on(chart.day) if a.acting_nip == actor.nip
    }
    candidates = {e.nip: e for post in sorted(posts) for e in tx.store.org.team(post)}
    rated = [e for nip, e in sorted(candidates.items()) if chart.penilai(nip).nip == actor.nip]
    tasks: dict[str, list[TaskSummary]] = {e.nip: [] for e in rated}
    for record in tx.store.inbox.active_about(list(tasks)):
        if record.subject_nip in tasks:
            tasks[record.subject_nip].append(TaskSummary.of(record))
    now: datetime = tx.clock.now()
    return [
        Member(
            e.nip,
            e.name,
            e.jabatan,
            tuple(tasks[e.nip]),
            tuple(t for t in tasks[e.nip] if t.due_at is not None and t.due_at < now),
        )
        for e in sorted(rated, key=lambda e: e.name)
    ]
