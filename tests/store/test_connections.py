"""Pooled PostgreSQL connections: pinged before use only after sitting idle, replaced when dead."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from engine.store import db

pytestmark = pytest.mark.postgres


def _backend_pid(db_engine):
    with db_engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(url, pid):
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def test_an_idle_connection_the_server_closed_is_replaced_before_use(postgres_url, monkeypatch):
    db_engine = db.make_db_engine(postgres_url, pool_size=1, max_overflow=0)
    first = _backend_pid(db_engine)
    _terminate(postgres_url, first)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle "long enough"
    assert _backend_pid(db_engine) != first  # pinged, found dead, replaced: no error
    db_engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged_and_fails_once_if_the_server_closed_it(postgres_url):
    db_engine = db.make_db_engine(postgres_url, pool_size=1, max_overflow=0)
    first = _backend_pid(db_engine)
    _terminate(postgres_url, first)  # a server restart within the moment (PING_AFTER_IDLE_SECONDS)
    with pytest.raises(OperationalError):
        _backend_pid(db_engine)
    assert _backend_pid(db_engine) != first  # the pool dropped it: the next request is served
    db_engine.dispose()
