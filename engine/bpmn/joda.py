"""Camunda's ``dateTime()`` and ``now()`` for expressions: a Joda-Time style value over the engine clock.

Camunda models compute due dates with ``${dateTime().plusWeeks(1).toDate()}``; ``dateTime()`` is
Joda-Time's ``DateTime`` at the current moment. ``JodaDateTime`` offers the same fluent methods
(``plusDays``, ``minusHours``, ``withTimeAtStartOfDay``, ``toDate`` ...) over an aware ``datetime``.
The current moment comes from the engine clock (``timing.clock``), so moving the clock moves
``dateTime()`` too.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine.bpmn.timing import business_zone, current_time


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])  # Joda clamps Jan 31 + 1 month to Feb 28
    return moment.replace(year=year, month=month, day=day)


class JodaDateTime:
    """An immutable moment with Joda-Time's fluent API (the subset process models use)."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def _shift(self, **delta: float) -> JodaDateTime:
        return JodaDateTime(self._moment + timedelta(**delta))

    def plusYears(self, n: int) -> JodaDateTime:
        return JodaDateTime(_add_months(self._moment, 12 * int(n)))

    def plusMonths(self, n: int) -> JodaDateTime:
        return JodaDateTime(_add_months(self._moment, int(n)))

    def plusWeeks(self, n: int) -> JodaDateTime:
        return self._shift(weeks=n)

    def plusDays(self, n: int) -> JodaDateTime:
        return self._shift(days=n)

    def plusHours(self, n: int) -> JodaDateTime:
        return self._shift(hours=n)

    def plusMinutes(self, n: int) -> JodaDateTime:
        return self._shift(minutes=n)

    def plusSeconds(self, n: int) -> JodaDateTime:
        return self._shift(seconds=n)

    def plusMillis(self, n: int) -> JodaDateTime:
        return self._shift(milliseconds=n)

    def minusYears(self, n: int) -> JodaDateTime:
        return self.plusYears(-n)

    def minusMonths(self, n: int) -> JodaDateTime:
        return self.plusMonths(-n)

    def minusWeeks(self, n: int) -> JodaDateTime:
        return self._shift(weeks=-n)

    def minusDays(self, n: int) -> JodaDateTime:
        return self._shift(days=-n)

    def minusHours(self, n: int) -> JodaDateTime:
        return self._shift(hours=-n)

    def minusMinutes(self, n: int) -> JodaDateTime:
        return self._shift(minutes=-n)

    def minusSeconds(self, n: int) -> JodaDateTime:
        return self._shift(seconds=-n)

    def withTimeAtStartOfDay(self) -> JodaDateTime:
        return JodaDateTime(self._moment.replace(hour=0, minute=0, second=0, microsecond=0))

    def isBefore(self, other: Any) -> bool:
        return self._moment < _moment_of(other)

    def isAfter(self, other: Any) -> bool:
        return self._moment > _moment_of(other)

    def getYear(self) -> int:
        return self._moment.year

    def getMonthOfYear(self) -> int:
        return self._moment.month

    def getDayOfMonth(self) -> int:
        return self._moment.day

    def getDayOfWeek(self) -> int:
        return self._moment.isoweekday()

    def toDate(self) -> datetime:
        return self._moment

    def toLocalDate(self) -> date:
        return self._moment.date()

    def toString(self) -> str:
        return self._moment.isoformat()

    def __str__(self) -> str:
        return self._moment.isoformat()

    def __repr__(self) -> str:
        return f"dateTime({self._moment.isoformat()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JodaDateTime) and other._moment == self._moment

    def __hash__(self) -> int:
        return hash(self._moment)


def _moment_of(value: Any) -> datetime:
    if isinstance(value, JodaDateTime):
        return value.toDate()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise TypeError(f"cannot compare a date-time with {type(value).__name__}")


def date_time(value: Any = None) -> JodaDateTime:
    """``dateTime()``: now by the engine clock; ``dateTime(x)`` for a datetime or an ISO string."""
    if value is None:
        return JodaDateTime(current_time().astimezone(business_zone()))  # Joda's default zone
    if isinstance(value, str):
        return JodaDateTime(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return JodaDateTime(_moment_of(value))


def now() -> datetime:
    """Camunda's ``now()``: the current moment as a date (here an aware datetime)."""
    return current_time()


def feel_date(text: str) -> date:
    """FEEL's ``date("2027-01-31")``."""
    return date.fromisoformat(text)


def feel_datetime(text: str) -> datetime:
    """FEEL's ``date and time("2027-01-31T09:00:00Z")`` (naive text is read as UTC)."""
    return _moment_of(datetime.fromisoformat(text.replace("Z", "+00:00")))


def feel_duration(text: str) -> timedelta:
    """FEEL's ``duration("P3D")``."""
    from engine.timeparse import parse_duration

    return parse_duration(text)
