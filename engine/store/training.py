"""The JP ledger: hours of competency development credited to employees, per year."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store.records import JpCreditRecord


class TrainingQueries:
    """Reads and appends the ledger inside one transaction's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, credit: JpCreditRecord) -> None:
        self._session.add(credit)

    def total(self, nip: str, year: int) -> int:
        stmt = select(func.coalesce(func.sum(JpCreditRecord.jp), 0)).where(
            JpCreditRecord.nip == nip, JpCreditRecord.year == year
        )
        return int(self._session.scalar(stmt) or 0)

    def credits(self, nip: str, year: int) -> Sequence[JpCreditRecord]:
        stmt = (
            select(JpCreditRecord)
            .where(JpCreditRecord.nip == nip, JpCreditRecord.year == year)
            .order_by(JpCreditRecord.credited_at, JpCreditRecord.id)
        )
        return self._session.scalars(stmt).all()
