"""Tokens: one for a username and password (throttled like the login page); revoking the current one."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from werkzeug.exceptions import Unauthorized

from engine import tokens
from webapp.api.common import caller, fails, json_only
from webapp.api.schemas import TokenRequestSchema, TokenSchema
from webapp.security import limiter
from webapp.transaction import commit, tx

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Bearer tokens")


def _limits() -> str:
    return str(current_app.config["LOGIN_LIMITS"])


def _username_key() -> str:
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return "login-name:" + (name.strip().lower()[:150] if isinstance(name, str) else "")


def _failed(response: Response) -> bool:
    """Only refused attempts count towards the limits."""
    return response.status_code == 401


@bp.post("/token")
@limiter.limit(_limits, key_func=get_remote_address, deduct_when=_failed)
@limiter.limit(_limits, key_func=_username_key, deduct_when=_failed)
@json_only
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema)
@fails(bp, 413, 415, 429)
@bp.doc(security=[])
def token(body: dict[str, Any]) -> dict[str, Any]:
    """Get a token for a username and password; it lasts a working day (KINERJA_TOKEN_HOURS)."""
    issued = tokens.sign_in(tx(), body["username"], body["password"], name=body.get("name", "login"))
    if issued is None:
        raise Unauthorized("wrong username or password")
    commit()
    actor = tokens.authenticate(tx(), issued.secret)
    return {
        "token": issued.secret,
        "token_type": "Bearer",
        "prefix": issued.info.prefix,
        "username": issued.info.username,
        "roles": sorted(actor.actor.roles) if actor else [],
        "expires_at": issued.info.expires_at,
    }


@bp.delete("/token")
@bp.response(204)
@fails(bp)
def revoke() -> None:
    """Revoke the token this request was made with."""
    caller()  # 401 without a valid token
    tokens.revoke(tx(), g.api_token.id)
    commit()
