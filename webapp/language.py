"""The language switch: Bahasa Indonesia or English, kept in the session."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, session

from webapp.access import safe_target
from webapp.i18n import LANGUAGES

bp = Blueprint("language", __name__)


@bp.post("/language")
def switch() -> Response:
    """Choose the language and go back to the page the switch was on."""
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_target(request.form.get("next")), code=303)  # type: ignore[return-value]
