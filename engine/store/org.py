"""Queries on the organisation chart: units, employees, their supervisors and acting officials."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.store.records import ActingOfficialRecord, EmployeeRecord, OrgUnitRecord


class OrgQueries:
    """The org chart as the engine reads it, inside one transaction's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def unit(self, unit_id: str) -> OrgUnitRecord | None:
        return self._session.get(OrgUnitRecord, unit_id)

    def units(self) -> Sequence[OrgUnitRecord]:
        return self._session.scalars(select(OrgUnitRecord).order_by(OrgUnitRecord.id)).all()

    def count_units(self) -> int:
        return self._session.scalar(select(func.count()).select_from(OrgUnitRecord)) or 0

    def employee(self, nip: str) -> EmployeeRecord | None:
        return self._session.get(EmployeeRecord, nip)

    def employees(
        self, unit_id: str | None = None, *, active_only: bool = True, frontline: bool | None = None
    ) -> Sequence[EmployeeRecord]:
        """Employees, of one unit or all, ordered by NIP."""
        stmt = select(EmployeeRecord)
        if unit_id is not None:
            stmt = stmt.where(EmployeeRecord.unit_id == unit_id)
        if active_only:
            stmt = stmt.where(EmployeeRecord.active.is_(True))
        if frontline is not None:
            stmt = stmt.where(EmployeeRecord.frontline.is_(frontline))
        return self._session.scalars(stmt.order_by(EmployeeRecord.nip)).all()

    def team(self, supervisor_nip: str) -> Sequence[EmployeeRecord]:
        """The employees whose direct supervisor is this person ("Tim saya")."""
        stmt = select(EmployeeRecord).where(
            EmployeeRecord.supervisor_nip == supervisor_nip, EmployeeRecord.active.is_(True)
        )
        return self._session.scalars(stmt.order_by(EmployeeRecord.nip)).all()

    def acting_for(self, official_nip: str, day: date) -> ActingOfficialRecord | None:
        """The Plt or Plh carrying out this official's post on that day (the newest appointment wins)."""
        stmt = (
            select(ActingOfficialRecord)
            .where(
                ActingOfficialRecord.official_nip == official_nip,
                ActingOfficialRecord.starts_on <= day,
                or_(ActingOfficialRecord.ends_on.is_(None), ActingOfficialRecord.ends_on >= day),
            )
            .order_by(ActingOfficialRecord.starts_on.desc(), ActingOfficialRecord.id.desc())
            .limit(1)
        )
        return self._session.scalars(stmt).first()

    def acting_on(self, day: date) -> Sequence[ActingOfficialRecord]:
        """Every appointment in force on that day (for resolving many employees at once)."""
        stmt = select(ActingOfficialRecord).where(
            ActingOfficialRecord.starts_on <= day,
            or_(ActingOfficialRecord.ends_on.is_(None), ActingOfficialRecord.ends_on >= day),
        )
        return self._session.scalars(
            stmt.order_by(ActingOfficialRecord.starts_on, ActingOfficialRecord.id)
        ).all()
