"""schemathesis against the live app: generated requests to every operation (but revoking the token the
run uses) find no 5xx and no response outside the OpenAPI document (status codes, schemas, headers).

Bounded: at most ``MAX_EXAMPLES`` cases per operation and phase, and ``MAX_SECONDS`` in all. It runs on
PostgreSQL when ``KINERJA_TEST_DATABASE_URL`` is set (as in CI), else on SQLite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.runtime import Engine
from tests.api.live import serve
from tests.conftest import PG_URL, _truncate

MAX_EXAMPLES = 15
MAX_SECONDS = 60
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


@pytest.fixture
def live_engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path):
    if PG_URL:
        url = request.getfixturevalue("postgres_url")
        _truncate(url)
    else:
        shutil.copy(sqlite_template, tmp_path / "kinerja.db")
        url = f"sqlite:///{tmp_path / 'kinerja.db'}"
    engine = Engine(url)
    yield engine
    engine.close()


@pytest.mark.slow
def test_generated_requests_find_no_server_error_and_nothing_off_the_schema(live_engine, tmp_path):
    with serve(live_engine) as live:
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{live.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {live.admin_token}",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--max-time",
            str(MAX_SECONDS),
            "--workers",
            "1",
            "--seed",
            "7",
            "--exclude-name",
            "DELETE /api/v1/auth/token",  # it would revoke the run's own token
            "--no-color",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=MAX_SECONDS + 120, cwd=tmp_path
        )
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    assert "Tested: 15" in result.stdout, summary  # every operation was reached
