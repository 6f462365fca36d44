"""Language and time: Bahasa Indonesia by default, English by a switch; dates in the business zone (WIT)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale, gettext

from engine.errors import FieldError
from webapp.transaction import engine

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"


def _(message: str, **variables: Any) -> str:
    """The message in the user's language (Flask-Babel's gettext, typed)."""
    return str(gettext(message, **variables))


def select_locale() -> str:
    if request.path.startswith("/api/"):  # the API has no session: the caller's Accept-Language
        return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def select_timezone() -> str:
    return engine().settings.timezone


def when(value: datetime | None) -> str:
    """A moment as people here read it: '4 Januari 2027 09.00 WIT' (or the English form)."""
    if value is None:
        return ""
    local = value.astimezone(engine().settings.tz)
    return f"{format_datetime(value, 'd MMMM y HH.mm' if _is_id() else 'd MMMM y HH:mm')} {local.tzname()}"


def day(value: date | datetime | str | float | None) -> str:
    """A calendar date: '4 Januari 2027'; ISO strings (form data) too."""
    if value in (None, ""):
        return ""
    if isinstance(value, float | int):
        return str(value)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return str(format_datetime(value, "d MMMM y"))
    return str(format_date(value, "d MMMM y"))


def _is_id() -> bool:
    return str(get_locale()) == "id"


def field_error(problem: FieldError, field_type: str) -> str:
    """An engine validation problem in the user's language (the engine says it in English, by code)."""
    params = problem.params
    if problem.code == "required":
        return _("This field is required.")
    if problem.code == "type":
        return {
            "long": _("Enter a whole number."),
            "date": _("Enter a valid date."),
            "boolean": _("Choose yes or no."),
        }.get(field_type, _("This value has the wrong form."))
    if problem.code == "enum":
        return _("Choose one of the options.")
    if problem.code == "min":
        bound = day(params["min"]) if field_type == "date" else params["min"]
        return _("Must be at least %(min)s.", min=bound)
    if problem.code == "max":
        bound = day(params["max"]) if field_type == "date" else params["max"]
        return _("Must be at most %(max)s.", max=bound)
    if problem.code == "minlength":
        return _("Enter at least %(min)s characters.", min=params["min"])
    if problem.code == "maxlength":
        return _("Enter at most %(max)s characters.", max=params["max"])
    if problem.code == "readonly":
        return _("This field cannot be changed.")
    if problem.code == "unknown":
        return _("This field is not on the form.")
    return str(problem.message)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"languages": LANGUAGES, "language": select_locale()}
