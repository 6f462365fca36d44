"""The HTTP API under /api/v1: flask-smorest blueprints, one per noun, and the OpenAPI 3 document.

Stateless: a caller is recognised by ``Authorization: Bearer <token>`` only (never the session
cookie, so the API needs no CSRF token), and every error is the JSON body of DESIGN.md. The views call
the same engine functions as the pages, so the rules are the same.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, render_template, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from engine import tokens
from engine.users import Actor
from webapp import access, errors
from webapp.api.schemas import ErrorSchema
from webapp.security import csrf
from webapp.transaction import engine, tx

PREFIX = "/api/v1"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class KinerjaApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with our error body, and no undocumented "default" response."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> Response:
        # Api replaces the app's handler of HTTPException: keep the pages' error pages too.
        return errors.http_error(error)


def bearer_secret() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


def _from_bearer() -> Actor | None:
    """The caller of an API request, by their token; the token's last use is noted now and then."""
    if not request.path.startswith(PREFIX + "/"):
        return None
    secret = bearer_secret()
    found = tokens.authenticate(tx(), secret) if secret else None
    if found is None:
        return None
    g.api_token = found.token
    if tokens.needs_touch(tx(), found.token):
        if request.method in _WRITES:  # this request's transaction holds SQLite's write lock
            tokens.touch(tx(), found.token.id)
        else:
            with engine().transaction() as other:
                tokens.touch(other, found.token.id)
    return found.actor


def docs() -> str:
    """A browsable view of the OpenAPI document (Swagger UI from npm, served from this site)."""
    return render_template("api/docs.html", spec_url=PREFIX + "/openapi.json")


def init_app(app: Flask) -> None:
    """The Api, its blueprints, bearer tokens as a way to recognise the caller."""
    from webapp.api import audit, auth, messages, process_definitions, process_instances, tasks

    app.config.setdefault("API_TITLE", "Kinerja")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", _spec_options())
    api = KinerjaApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for module in (auth, tasks, process_definitions, process_instances, messages, audit):
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)
    access.add_identity_loader(app, _from_bearer)
    app.add_url_rule(PREFIX + "/docs", "api_docs", docs)
    app.extensions["kinerja_api"] = api


def _spec_options() -> dict[str, Any]:
    return {
        "security": [{"bearer": []}],
        "info": {
            "description": (
                "Everything a person does in Kinerja's pages, over HTTP, with the same rules. Get a token "
                "with POST /api/v1/auth/token, then send `Authorization: Bearer <token>`. Lists take `page` "
                "and `page_size` and answer `{items, page, page_size, total, pages}`. Every error is "
                '`{"error": code, "message": text}`, with `errors` for invalid data.'
            )
        },
    }
