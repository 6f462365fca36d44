"""Sessions, CSRF, login throttling and response headers: the app's defences in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

# The blueprints whose views declare limits (the logins). There are no default limits, so any other
# request skips the limiter's lookup of limits: about 0.2 ms of a task completion over the API
# (bench/http_load.py). tests/webapp/test_security.py checks no other blueprint declares a limit.
LIMITED_BLUEPRINTS = frozenset({"auth", "api_auth"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


@limiter.request_filter
def _has_no_limits() -> bool:
    return request.blueprint not in LIMITED_BLUEPRINTS


# Pages load scripts and styles only from this site; nothing inline, no frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Secret key, session cookie, CSRF on every POST, the login limiter, security headers."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path) / "secret_key")
    app.session_interface = SessionInterface()
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    csrf.init_app(app)
    limiter.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    Compress(app)  # zstd, br or gzip, as the browser accepts; files too (htmx, Chart.js, CSS)


def _development_secret(path: Path) -> str:
    """A secret kept in the instance folder, so sessions survive restarts of ``make run``."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def _refuse_nul(_unused: object = None) -> None:
    """A NUL character has no place in any field, and PostgreSQL text cannot hold one: refuse it."""
    # Only form bodies have a form (werkzeug parses no other); not asking spares a JSON request the parser.
    form = request.form if request.mimetype in _FORM_TYPES else {}
    values = [request.path, *request.args.values(), *form.values()]
    if any("\x00" in v for v in values) or any("\x00" in k for k in (*request.args, *form)):
        raise BadRequest("NUL characters are not allowed")


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint not in ("assets.vendor", "assets.modeler", "static"):
        response.headers.setdefault("Cache-Control", "no-store")  # pages carry personal data
    return response
