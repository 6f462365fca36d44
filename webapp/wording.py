"""How values, states and constraints read on the pages, in the user's language."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from engine.bpmn.forms import FormField
from engine.context import Answer
from engine.inspection import INSPECTOR_ROLES
from webapp.i18n import _, day

TEAM_ROLES = frozenset({"penilai", "atasan_penilai", "pimpinan_unit"})
STATUS_NAMES = {
    "open": _l("Waiting in a queue"),
    "assigned": _l("Assigned to a person"),
    "claimed": _l("Taken by a person"),
    "completed": _l("Completed"),
    "cancelled": _l("Withdrawn"),
    "running": _l("In progress"),
    "errored": _l("Stopped by an error"),
}

EVENT_NAMES = {
    "instance_started": _l("Started"),
    "task_created": _l("Task created"),
    "task_claimed": _l("Task taken"),
    "task_released": _l("Task given back"),
    "task_completed": _l("Task completed"),
    "task_cancelled": _l("Task withdrawn"),
    "instance_cancelled": _l("Cancelled"),
    "instance_completed": _l("Finished"),
    "instance_errored": _l("Stopped by an error"),
    "instance_migrated": _l("Moved to another version"),
    "event_thrown": _l("Error or escalation thrown"),
    "timer_fired": _l("Timer fired"),
    "message_received": _l("Message received"),
    "task_reminded": _l("Reminder"),
    "task_escalated": _l("Escalated"),
    "task_overdue": _l("Overdue"),
}
ACCESS_NAMES = {
    "search": _l("Search"),
    "export": _l("CSV export"),
    "instance": _l("History"),
    "pack": _l("Evidence pack"),
    "verify": _l("Verification"),
    "log": _l("Access log"),
    "record": _l("Performance record"),
    "evaluation": _l("Evaluation"),
}


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))


def event_name(kind: str) -> str:
    return str(EVENT_NAMES.get(kind, kind))


def access_name(action: str) -> str:
    return str(ACCESS_NAMES.get(action, action))


def show_value(answer: Answer) -> str:
    """A submitted value as a person reads it."""
    value = answer.shown
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if answer.type == "date":
        return day(value)
    return str(value)


def constraint_hint(f: FormField) -> str:
    """What the field accepts, said before anyone gets it wrong."""
    parts: list[str] = []
    if f.required:
        parts.append(_("Required."))
    if f.type == "date":
        if f.min is not None and f.max is not None:
            parts.append(_("A date from %(min)s to %(max)s.", min=day(f.min), max=day(f.max)))
        elif f.min is not None:
            parts.append(_("A date from %(min)s.", min=day(f.min)))
        elif f.max is not None:
            parts.append(_("A date until %(max)s.", max=day(f.max)))
    elif f.type == "long":
        if f.min is not None and f.max is not None:
            parts.append(_("A whole number from %(min)s to %(max)s.", min=f.min, max=f.max))
        else:
            parts.append(_("A whole number."))
    elif f.type == "string":
        if f.minlength and f.maxlength:
            parts.append(_("%(min)s to %(max)s characters.", min=f.minlength, max=f.maxlength))
        elif f.maxlength:
            parts.append(_("At most %(max)s characters.", max=f.maxlength))
        elif f.minlength:
            parts.append(_("At least %(min)s characters.", min=f.minlength))
    return " ".join(parts)


def init_app(app: Flask) -> None:
    @app.context_processor
    def _wording() -> dict[str, Any]:
        return {
            "status_name": status_name,
            "show_value": show_value,
            "constraint_hint": constraint_hint,
            "team_roles": TEAM_ROLES,
            "inspector_roles": INSPECTOR_ROLES,
            "event_name": event_name,
            "access_name": access_name,
        }
