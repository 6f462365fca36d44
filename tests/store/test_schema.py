"""The schema: migrations build exactly what the records describe; SQLite runs in WAL mode."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from engine.store import Database
from engine.store.records import Base


def test_migrations_on_an_empty_database_match_the_records(database_url):
    db_engine = create_engine(database_url)
    with db_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    db_engine.dispose()


def test_upgrade_is_idempotent(database_url):
    database = Database(database_url)
    database.upgrade()  # already at head: nothing to do, nothing breaks
    database.dispose()


def test_sqlite_runs_in_wal_mode_with_normal_sync(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'k.db'}")
    with database.db_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()
