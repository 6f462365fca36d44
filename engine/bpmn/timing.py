"""The time SpiffWorkflow's timers see: the engine clock and the deployment's business time zone.

SpiffWorkflow's timer module reads ``datetime.now(timezone.utc)`` and reads naive date-times in the
server's local zone, frozen when it is imported (``timer.LOCALTZ``). Both are replaced here by
stand-ins that follow a context: ``clock(now, tz)`` around every engine step, so tests move time by
hand and a naive ``2027-01-31T23:59`` means 23:59 in Nabire (WIT) whatever zone the server runs in.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

DEFAULT_ZONE = ZoneInfo("Asia/Jayapura")  # WIT, UTC+9; Settings.timezone overrides it per engine

_now: contextvars.ContextVar[Callable[[], datetime] | None] = contextvars.ContextVar(
    "kinerja_now", default=None
)
_zone: contextvars.ContextVar[tzinfo] = contextvars.ContextVar("kinerja_zone", default=DEFAULT_ZONE)


class _ClockedDatetime(datetime):
    """``datetime`` whose ``now()`` follows the engine clock, so timers can be tested without sleeping."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        source = _now.get()
        current = source() if source is not None else datetime.now(UTC)
        return (
            current.astimezone(tz) if tz is not None else current.astimezone(_zone.get()).replace(tzinfo=None)
        )


class _BusinessZone(tzinfo):
    """The zone of the current engine context; what a timer's naive date-time is read in."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return _zone.get().utcoffset(_naive(dt))

    def dst(self, dt: datetime | None) -> timedelta | None:
        return _zone.get().dst(_naive(dt))

    def tzname(self, dt: datetime | None) -> str | None:
        return _zone.get().tzname(_naive(dt))


def _naive(dt: datetime | None) -> datetime | None:
    # ZoneInfo looks at the wall time only; a datetime that carries this very zone would recurse.
    return dt.replace(tzinfo=None) if dt is not None else None


spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]
spiff_timer.LOCALTZ = _BusinessZone()


@contextmanager
def clock(now: Callable[[], datetime], tz: tzinfo | None = None) -> Iterator[None]:
    """Run engine steps with this notion of the current time and (optionally) this business zone."""
    token = _now.set(now)
    zone_token = _zone.set(tz) if tz is not None else None
    try:
        yield
    finally:
        _now.reset(token)
        if zone_token is not None:
            _zone.reset(zone_token)


def nudged(delta: timedelta) -> Callable[[], datetime]:
    """The current clock moved by ``delta``: a source for a nested ``clock`` context."""
    source = _now.get()

    def now() -> datetime:
        return (source() if source is not None else datetime.now(UTC)) + delta

    return now


def business_zone() -> tzinfo:
    """The business time zone of the current engine context."""
    return _zone.get()


def current_time() -> datetime:
    """The engine clock's now (aware UTC), or the machine's outside any ``clock`` context."""
    source = _now.get()
    return (source() if source is not None else datetime.now(UTC)).astimezone(UTC)


def moment(value: str) -> datetime:
    """A timer's stored value (ISO date-time, or week date) as an aware UTC datetime."""
    parsed = spiff_timer.TimerEventDefinition.parse_time_or_duration(value)
    if not isinstance(parsed, datetime):
        raise ValueError(f"not a moment: {value!r}")
    utc = parsed.astimezone(UTC)
    return datetime.combine(utc.date(), utc.time(), UTC)  # a plain datetime, not the clocked stand-in
