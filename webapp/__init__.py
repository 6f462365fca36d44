"""The web application: ``create_app()`` builds it; one blueprint per noun."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from engine.runtime import PROJECT_ROOT, Engine
from webapp import access, api, assets, errors, i18n, scheduling, security, transaction, wording

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # KINERJA_DATABASE_URL; None: the engine's default SQLite file
    "SCHEDULER": False,  # KINERJA_SCHEDULER=1: fire timers and send emails in this process (make run)
    "SECRET_KEY": None,  # KINERJA_SECRET_KEY; None: one kept in var/secret_key (development)
    "SESSION_COOKIE_SECURE": False,  # True forces Secure; it is set anyway on HTTPS requests
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,  # one working day
    "TRUSTED_PROXIES": 0,  # how many proxies in front set X-Forwarded-* (for HTTPS and client IPs)
    "LOGIN_LIMITS": "5 per minute; 30 per hour",  # failed logins per username and per address
    "RATELIMIT_STORAGE_URI": "memory://",  # one process; use redis://... with several workers
    "PAGE_SIZE": 50,  # tasks per inbox page
    "NODE_MODULES": str(PROJECT_ROOT / "node_modules"),
    "MODELER_BUILD": str(PROJECT_ROOT / "build" / "modeler"),  # made by make (esbuild)
}


def create_app(config: Mapping[str, Any] | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the web app: config, engine, security, language, blueprints, error pages."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "var"))
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("KINERJA")
    app.config.update(config or {})
    app.extensions["kinerja"] = engine or Engine(app.config["DATABASE_URL"])
    scheduling.init_app(app)
    security.init_app(app)
    transaction.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    assets.init_app(app)
    wording.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    api.init_app(app)
    return app


INT32_MAX = 2**31 - 1


class RowId(IntegerConverter):
    """``<int:...>`` in our routes: a row id, so at most the database's 32-bit integer.

    A larger number can name no row; matching it would only send the database a value it refuses.
    """

    def __init__(
        self, url_map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=INT32_MAX if max is None else max)


def register_blueprints(app: Flask) -> None:
    """One blueprint per noun."""
    app.url_map.converters["int"] = RowId
    from webapp import audit, auth, inbox, language, migrations, modeler, performance, tasks, team

    for module in (auth, inbox, tasks, language, performance, team, audit, modeler, migrations, assets):
        app.register_blueprint(module.bp)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}
