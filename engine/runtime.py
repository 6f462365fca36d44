"""The composition root of the engine: database, clock and settings; one ``Tx`` per transaction."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from engine.clock import Clock, SystemClock
from engine.services import ServiceRegistry, product_services
from engine.store import Database, Store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TIMEZONE = "Asia/Jayapura"  # WIT, UTC+9: Kabupaten Nabire


def default_database_url() -> str:
    """KINERJA_DATABASE_URL, or the SQLite file that ``make run`` uses."""
    return os.environ.get("KINERJA_DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'var' / 'kinerja.db'}"


@dataclass(frozen=True)
class Settings:
    """Deployment settings the engine reads (``from_env`` reads them from ``KINERJA_*`` variables)."""

    timezone: str = DEFAULT_TIMEZONE  # business dates and naive timer date-times are read in this zone
    base_url: str = "http://127.0.0.1:5000"  # links in emails: base_url + /tasks/<id>
    language: str = "id"  # of emails: id (Bahasa Indonesia) or en
    smtp_host: str | None = None  # no host: no emails, and no outbox rows either
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    mail_from: str = "kinerja@localhost"
    script_seconds: float = 5.0  # one engine step (scripts, conditions, decisions) stops after this
    script_memory_mb: int = 256  # ... or when the process grows by this much while it runs
    allow_unhandled_service_tasks: bool = False  # True: a service task with no handler completes empty
    allow_unassigned_user_tasks: bool = False  # True: deploy user tasks nobody is named for (admin only)
    accept_undeclared_task_data: bool = False  # True: a completion may set values its form does not declare
    checkpoint_minutes: float = 60.0  # the scheduler records the audit chains' heads this often (0: never)
    token_hours: float = 8.0  # how long an API token a person signs in for lasts: one working day
    service_token_days: int = 90  # how long a service account's token lasts unless its maker says

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def notifications(self) -> bool:
        """Whether tasks' people are told by email (an SMTP server is configured)."""
        return bool(self.smtp_host)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``KINERJA_TIMEZONE``, ``KINERJA_BASE_URL``, ``KINERJA_SMTP_HOST`` and friends."""
        env = os.environ if environ is None else environ

        def flag(name: str) -> bool:
            return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")

        return cls(
            timezone=env.get("KINERJA_TIMEZONE") or DEFAULT_TIMEZONE,
            base_url=(env.get("KINERJA_BASE_URL") or cls.base_url).rstrip("/"),
            language=env.get("KINERJA_LANGUAGE") or cls.language,
            smtp_host=env.get("KINERJA_SMTP_HOST") or None,
            smtp_port=int(env.get("KINERJA_SMTP_PORT") or cls.smtp_port),
            smtp_user=env.get("KINERJA_SMTP_USER") or None,
            smtp_password=env.get("KINERJA_SMTP_PASSWORD") or None,
            smtp_starttls=flag("KINERJA_SMTP_STARTTLS"),
            smtp_ssl=flag("KINERJA_SMTP_SSL"),
            mail_from=env.get("KINERJA_MAIL_FROM") or cls.mail_from,
            script_seconds=float(env.get("KINERJA_SCRIPT_SECONDS") or cls.script_seconds),
            script_memory_mb=int(env.get("KINERJA_SCRIPT_MEMORY_MB") or cls.script_memory_mb),
            checkpoint_minutes=float(env.get("KINERJA_CHECKPOINT_MINUTES") or cls.checkpoint_minutes),
            token_hours=float(env.get("KINERJA_TOKEN_HOURS") or cls.token_hours),
            service_token_days=int(env.get("KINERJA_SERVICE_TOKEN_DAYS") or cls.service_token_days),
        )


@dataclass
class Tx:
    """One transaction: the store to read and write, the clock, the settings. The caller commits."""

    store: Store
    clock: Clock
    settings: Settings
    services: ServiceRegistry = field(default_factory=ServiceRegistry)
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
        self,
        database_url: str | None = None,
        *,
        clock: Clock | None = None,
        settings: Settings | None = None,
        services: ServiceRegistry | None = None,
    ) -> None:
        self.database = Database(database_url or default_database_url())
        self.clock: Clock = clock or SystemClock()
        self.settings = settings or Settings.from_env()
        # the product's own handlers; an application registers more (or passes a registry of its own)
        self.services = services if services is not None else product_services()

    def begin(self, write: bool = True) -> Tx:
        """Open a transaction; the caller commits or rolls back, and closes."""
        return Tx(Store(self.database, write=write), self.clock, self.settings, self.services)

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
