"""Queries of the auditors' side: chain heads, checkpoints, the access log, searching instances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.store.records import (
    AuditAccessRecord,
    AuditCheckpointRecord,
    AuditEventRecord,
    ProcessInstanceRecord,
)


@dataclass(frozen=True)
class InstanceFilter:
    """What an auditor searches instances by; None or empty means any."""

    nip: str | None = None
    name: str | None = None  # a part of the subject's name, any case
    unit: str | None = None
    period: str | None = None  # a part of the business key after its '/': 2027 finds 2027-03 too
    process_key: str | None = None
    status: str | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None


class AuditQueries:
    """The audit trail's heads and checkpoints, the access log and the instance search, in one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        """Every chain's newest (seq, hash), as the events say."""
        newest = (
            select(AuditEventRecord.chain, func.max(AuditEventRecord.seq).label("seq"))
            .group_by(AuditEventRecord.chain)
            .subquery()
        )
        stmt = select(AuditEventRecord.chain, AuditEventRecord.seq, AuditEventRecord.hash).join(
            newest, and_(AuditEventRecord.chain == newest.c.chain, AuditEventRecord.seq == newest.c.seq)
        )
        return {chain: (seq, digest) for chain, seq, digest in self._session.execute(stmt)}

    def event_at(self, chain: str, seq: int) -> AuditEventRecord | None:
        stmt = select(AuditEventRecord).where(AuditEventRecord.chain == chain, AuditEventRecord.seq == seq)
        return self._session.scalars(stmt).first()

    def checkpoints(self) -> Sequence[AuditCheckpointRecord]:
        """Every checkpoint, oldest first."""
        return self._session.scalars(select(AuditCheckpointRecord).order_by(AuditCheckpointRecord.seq)).all()

    def latest_checkpoint(self) -> AuditCheckpointRecord | None:
        stmt = select(AuditCheckpointRecord).order_by(AuditCheckpointRecord.seq.desc()).limit(1)
        return self._session.scalars(stmt).first()

    def accesses(
        self, *, instance_id: int | None = None, actor: str | None = None, limit: int = 100
    ) -> Sequence[AuditAccessRecord]:
        """The access log, newest first."""
        stmt = select(AuditAccessRecord)
        if instance_id is not None:
            stmt = stmt.where(AuditAccessRecord.instance_id == instance_id)
        if actor:
            stmt = stmt.where(AuditAccessRecord.actor == actor)
        stmt = stmt.order_by(AuditAccessRecord.at.desc(), AuditAccessRecord.id.desc()).limit(limit)
        return self._session.scalars(stmt).all()

    def search(
        self, where: InstanceFilter, limit: int = 50, offset: int = 0
    ) -> tuple[Sequence[ProcessInstanceRecord], int]:
        """Instances about an employee that match, newest first, and how many match in all."""
        i = ProcessInstanceRecord
        stmt = select(i).where(i.subject_nip.is_not(None))
        if where.nip:
            stmt = stmt.where(i.subject_nip == where.nip)
        if where.name:
            stmt = stmt.where(func.lower(i.subject_name).contains(where.name.lower(), autoescape=True))
        if where.unit:
            stmt = stmt.where(i.subject_unit == where.unit)
        if where.period:
            stmt = stmt.where(
                or_(
                    i.business_key == where.period,
                    i.business_key.contains("/" + where.period, autoescape=True),
                )
            )
        if where.process_key:
            stmt = stmt.where(i.process_key == where.process_key)
        if where.status:
            stmt = stmt.where(i.status == where.status)
        if where.started_from is not None:
            stmt = stmt.where(i.started_at >= where.started_from)
        if where.started_before is not None:
            stmt = stmt.where(i.started_at < where.started_before)
        total = self._session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self._session.scalars(
            stmt.order_by(i.started_at.desc(), i.id.desc()).limit(limit).offset(offset)
        )
        return rows.all(), total
