"""Database connections: SQLite (WAL) by default, PostgreSQL by URL; sessions and schema upgrades."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
PING_AFTER_IDLE_SECONDS = 5.0  # a pooled PostgreSQL connection idle longer is pinged before use


def normalize_url(url: str) -> str:
    """Accept the short PostgreSQL spellings and pick psycopg 3 as the driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_db_engine(url: str, **kwargs: Any) -> DbEngine:
    """Create the SQLAlchemy engine with the settings each backend needs."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Connections are pooled: opening one runs the pragmas, and closing the last one of a WAL
        # database checkpoints it, both far dearer than a completion.
        db_engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(db_engine, "connect", _sqlite_pragmas)
        # pysqlite opens transactions lazily and on its own terms; take control so that a
        # transaction begins at the first statement and writers queue on the busy timeout.
        event.listen(db_engine, "begin", _sqlite_begin)
        return db_engine
    db_engine = create_engine(url, **kwargs)
    event.listen(db_engine, "checkin", _note_idle)
    event.listen(db_engine, "checkout", _ping_if_idle(db_engine))
    return db_engine


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["kinerja_idle_since"] = time.monotonic()


def _ping_if_idle(db_engine: DbEngine) -> Any:
    """A checkout that pings only a connection idle for a while (``pool_pre_ping`` pings every time).

    A round trip per request bought little: a connection used a moment ago is alive but for a server
    restart in that moment, when the request would fail anyway. One the driver knows is broken, or
    that does not answer the ping, is replaced (the pool retries with a new one).
    """
    dialect = db_engine.dialect

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise DisconnectionError("the connection was closed")
        idle_since = record.info.get("kinerja_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"the connection does not answer: {exc}") from exc

    return checkout


def _sqlite_begin(conn: Any) -> None:
    # A writing unit of work takes the write lock up front (BEGIN IMMEDIATE), so two writers queue
    # on the busy timeout instead of one failing when it upgrades a read snapshot to a write.
    immediate = conn.get_execution_options().get("kinerja_write", False)
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver; SQLAlchemy issues BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Checkpoint the WAL every ~40 MB rather than every 4 MB: each checkpoint syncs the disk, and a
    # longer WAL lets repeated writes of the same pages (an instance's state) coalesce.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


class Database:
    """One database: the SQLAlchemy engine and a factory of sessions."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.db_engine = make_db_engine(self.url, **kwargs)
        self.sessions = sessionmaker(self.db_engine, expire_on_commit=False, autoflush=False)
        self.memo: dict[str, Any] = {}  # facts about this database that never change once written

    @property
    def is_postgres(self) -> bool:
        return self.db_engine.dialect.name == "postgresql"

    def session(self) -> Session:
        return self.sessions()

    def upgrade(self, revision: str = "heads") -> None:
        """Bring the schema to the newest migration (Alembic)."""
        from alembic import command

        command.upgrade(alembic_config(self.url), revision)

    def dispose(self) -> None:
        self.db_engine.dispose()


def alembic_config(url: str) -> Any:
    """An Alembic configuration for this project's migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg
