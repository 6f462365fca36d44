"""Turning the values of due-date expressions into moments: dates, date-times and ISO 8601 durations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration; a year counts 365 days and a month 30 (as SpiffWorkflow's timers do not)."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    part = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return timedelta(
        days=part["y"] * 365 + part["mo"] * 30 + part["w"] * 7 + part["d"],
        hours=part["h"],
        minutes=part["mi"],
        seconds=part["s"],
    )


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last moment of a business day in the deployment's time zone."""
    return datetime.combine(day, time(23, 59, 59), tz).astimezone(UTC)


def parse_due(value: Any, now: datetime, tz: ZoneInfo) -> datetime | None:
    """A due moment from a datetime, a date (end of that day), an ISO string, or a duration from now.

    Naive date-times are read in the business time zone (WIT by default), not the server's.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)
    if isinstance(value, date):
        return end_of_day(value, tz)
    if isinstance(value, timedelta):
        return now + value
    if isinstance(value, str):
        text = value.strip()
        if text.upper().startswith("P"):
            return now + parse_duration(text)
        if len(text) == 10:
            return end_of_day(date.fromisoformat(text), tz)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)
    raise ValueError(f"cannot read a due date from {type(value).__name__}")
