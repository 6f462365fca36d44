"""Error pages, and the JSON error body of the API (``{"error", "message", "errors"?}``) under /api/."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import (
    BadRequest,
    Conflict,
    DeploymentFailed,
    EngineError,
    NotFound,
    PermissionDenied,
    ProcessFailed,
    ValidationFailed,
)

log = logging.getLogger(__name__)

STATUS_OF: dict[type[EngineError], int] = {
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    ValidationFailed: 422,
    DeploymentFailed: 422,
    ProcessFailed: 422,
    BadRequest: 400,
}
CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
}
# What a person reads on the error page, by status (the engine's messages are for logs and the API).
TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You may not do this"),
    404: _l("Not found"),
    405: _l("This action is not possible here"),
    409: _l("Someone else got there first"),
    413: _l("What you sent is too large"),
    422: _l("The data could not be accepted"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
EXPLANATIONS = {
    400: _l("Go back, reload the page and try again."),
    401: _l("Sign in to continue."),
    403: _l("Your roles do not allow this. Ask your administrator if you think they should."),
    404: _l("The page does not exist, or it is not yours to see."),
    405: _l("Go back and use the buttons on the page."),
    409: _l("The task was already taken or finished, or it changed while you worked. Open it again."),
    413: _l("Send less data at once."),
    422: _l("Check what you entered and try again."),
    429: _l("Wait a few minutes, then try again."),
    500: _l("Your work was not saved. Please try again later; if it keeps happening, tell the helpdesk."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def respond(status: int, code: str, message: str, extra: dict[str, Any] | None = None) -> Response:
    """The error as JSON for the API, as a page for people."""
    if wants_json():
        response = jsonify({"error": code, "message": message, **(extra or {})})
    else:
        page = render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, TITLES[400]),
            explanation=EXPLANATIONS.get(status, EXPLANATIONS[400]),
        )
        response = Response(page, mimetype="text/html")
    response.status_code = status
    return response


def _engine_error(exc: EngineError) -> Response:
    status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
    body = exc.to_dict()
    return respond(status, body.pop("error"), body.pop("message"), body)


def http_error(exc: HTTPException) -> Response:
    """An HTTP error as a page, or under /api/ as the JSON body (webargs' per-field messages as errors)."""
    status = exc.code or 500
    if status >= 500:
        return respond(500, "internal_error", "internal error")
    code = "csrf_failed" if isinstance(exc, CSRFError) else CODE_OF_STATUS.get(status, "bad_request")
    message, extra = exc.description or exc.name, None
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs: {location: {field: [message]}} or {"json": ["Invalid JSON body."]}
        extra = {"errors": field_messages(data["messages"])}
        message = "the body is not valid JSON" if status == 400 else "invalid " + ", ".join(extra["errors"])
    response = respond(status, code, message, extra)
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after", "www-authenticate"):
            response.headers[name] = value
    return response


def field_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested messages flattened to {"field": [message]} ({"a.b": ...} for nested fields)."""
    found: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if prefix == "" and key in ("json", "query", "form", "files", "headers", "view_args"):
                found.update(field_messages(value, ""))  # the location is not a field
            elif prefix and key in ("key", "value") and set(messages) <= {"key", "value"}:
                found.update(field_messages(value, prefix))  # a dict's entry: "correlation.nip"
            else:
                found.update(field_messages(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        found[prefix or "_body"] = list(messages)
    else:
        found[prefix or "_body"] = [str(messages)]
    return found


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return respond(500, "internal_error", "internal error")


def init_app(app: Flask) -> None:
    app.register_error_handler(EngineError, _engine_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, _unexpected)
