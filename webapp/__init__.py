"""The web application: ``create_app()`` builds it; one blueprint per noun."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from engine.runtime import Engine
from webapp import scheduling

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    "SCHEDULER": False,  # KINERJA_SCHEDULER=1: fire timers and send emails in this process (make run)
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app: config, engine, blueprints."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("KINERJA")
    app.config.update(config or {})
    app.extensions["kinerja"] = Engine(app.config["DATABASE_URL"])
    scheduling.init_app(app)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
