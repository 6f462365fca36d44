"""Persistence (the only package that imports SQLAlchemy): records, a Database, a Store per transaction."""

from engine.store.audit import InstanceFilter
from engine.store.db import Database, alembic_config, normalize_url
from engine.store.inbox import TaskFilter
from engine.store.lean import EventRow, InstanceRow, TaskRow
from engine.store.unit import Store, dumps

__all__ = [
    "Database",
    "EventRow",
    "InstanceFilter",
    "InstanceRow",
    "Store",
    "TaskFilter",
    "TaskRow",
    "alembic_config",
    "dumps",
    "normalize_url",
]
