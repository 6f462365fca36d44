"""The demo regency with every process of processes/ deployed, copied fresh for each test.

Scenario tests run on SQLite only: they exercise the models and the org chart, not the database,
which tests/engine and tests/store cover on both backends.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.clock import ManualClock
from engine.runtime import Engine
from tests.processes.regency import Regency, deploy_library, seed_regency


@pytest.fixture(scope="session")
def regency_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo regency seeded and processes/ deployed, made once."""
    path = tmp_path_factory.mktemp("regency") / "kinerja.db"
    shutil.copy(sqlite_template, path)
    engine = Engine(f"sqlite:///{path}", clock=ManualClock())
    seed_regency(engine)
    deploy_library(engine)
    with engine.database.db_engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.close()
    return path


@pytest.fixture
def regency(regency_template: Path, tmp_path: Path, clock: ManualClock) -> Iterator[Regency]:
    target = tmp_path / "kinerja.db"
    shutil.copy(regency_template, target)
    engine = Engine(f"sqlite:///{target}", clock=clock)
    yield Regency(engine, clock)
    engine.close()
