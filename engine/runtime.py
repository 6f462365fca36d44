"""The composition root of the engine: database, clock and settings; one ``Tx`` per transaction."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from engine.clock import Clock, SystemClock
from engine.store import Database, Store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TIMEZONE = "Asia/Jayapura"  # WIT, UTC+9: Kabupaten Nabire


def default_database_url() -> str:
    """KINERJA_DATABASE_URL, or the SQLite file that ``make run`` uses."""
    return os.environ.get("KINERJA_DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'var' / 'kinerja.db'}"


@dataclass(frozen=True)
class Settings:
    """Deployment settings the engine reads."""

    timezone: str = DEFAULT_TIMEZONE
    base_url: str = "http://127.0.0.1:5000"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class Tx:
    """One transaction: the store to read and write, the clock, the settings. The caller commits."""

    store: Store
    clock: Clock
    settings: Settings
    memo: dict[str, Any] = field(default_factory=dict)  # what this transaction read once and reuses

    def commit(self) -> None:
        self.store.commit()

    def rollback(self) -> None:
        self.store.rollback()

    def close(self) -> None:
        self.store.close()


class Engine:
    """Everything that runs processes, wired together once per process (CLI, web app, worker)."""

    def __init__(
        self, database_url: str | None = None, *, clock: Clock | None = None, settings: Settings | None = None
    ) -> None:
        self.database = Database(database_url or default_database_url())
        self.clock: Clock = clock or SystemClock()
        self.settings = settings or Settings(timezone=os.environ.get("KINERJA_TIMEZONE", DEFAULT_TIMEZONE))

    def begin(self, write: bool = True) -> Tx:
        """Open a transaction; the caller commits or rolls back, and closes."""
        return Tx(Store(self.database, write=write), self.clock, self.settings)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        """A transaction committed on success and rolled back on any error."""
        tx = self.begin(write)
        try:
            yield tx
            if write:
                tx.commit()
            else:
                tx.rollback()
        except BaseException:
            tx.rollback()
            raise
        finally:
            tx.close()

    def close(self) -> None:
        self.database.dispose()
