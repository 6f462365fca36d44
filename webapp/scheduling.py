"""The in-process scheduler of ``make run``: fires due timers and sends emails inside the web process.

Enabled by ``SCHEDULER`` (``KINERJA_SCHEDULER=1``), meant for one process on SQLite. Deployments with
several web processes on PostgreSQL leave it off and run ``kinerja worker`` processes instead (it
would still be correct there, each item being claimed once, only wasteful).
"""

from __future__ import annotations

import atexit

from flask import Flask

from engine.runtime import Engine
from engine.scheduler import Scheduler


def init_app(app: Flask) -> None:
    """Start the scheduler thread if the configuration asks for it; stop it when the process exits."""
    if not app.config.get("SCHEDULER"):
        return
    engine: Engine = app.extensions["kinerja"]
    scheduler = Scheduler(engine, interval=float(app.config.get("SCHEDULER_INTERVAL", 1.0)))
    app.extensions["kinerja_scheduler"] = scheduler
    scheduler.start()
    atexit.register(scheduler.stop)
