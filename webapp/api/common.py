"""What every API blueprint shares: the bearer guard, JSON-only bodies, the documented error responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar

from flask import request
from flask_smorest import Blueprint
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, Unauthorized, UnsupportedMediaType

from engine.users import Actor
from webapp.access import current_actor

F = TypeVar("F", bound=Callable[..., Any])
MAX_JSON_BYTES = 1024 * 1024  # the engine takes at most 256 KB of data or payload; room for the rest


def blueprint(name: str, path: str, description: str) -> Blueprint:
    """An API blueprint whose every view needs a valid bearer token."""
    bp = Blueprint(name, __name__, url_prefix="/api/v1" + path, description=description)
    bp.before_request(require_token)
    return bp


def caller() -> Actor:
    """The actor the request's token speaks for (the blueprint's guard made sure there is one)."""
    actor = current_actor()
    if actor is None:
        raise _unauthorized()
    return actor


def require_token() -> None:
    if current_actor() is None:
        raise _unauthorized()


def _unauthorized() -> Unauthorized:
    return Unauthorized(
        "send a valid token: Authorization: Bearer <token> (POST /api/v1/auth/token gives one)",
        www_authenticate=WWWAuthenticate("bearer"),
    )


def json_only(view: F) -> F:
    """Refuse a body that is not JSON with 415, one over MAX_JSON_BYTES with 413, NUL characters with 400."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if (request.content_length or 0) > MAX_JSON_BYTES:
            raise RequestEntityTooLarge(f"send at most {MAX_JSON_BYTES // 1024} KB of JSON")
        if not request.is_json:
            raise UnsupportedMediaType("send the body as JSON (Content-Type: application/json)")
        if _has_nul(request.get_json(silent=True)):  # PostgreSQL text cannot hold one (as for forms)
            raise BadRequest("NUL characters are not allowed")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def fails(bp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the error responses a view may give; 400 (malformed, NUL) and 401 (no token) always."""

    def decorate(view: F) -> F:
        for code in sorted({400, 401, *codes}):
            view = bp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorate
