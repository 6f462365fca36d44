"""A real browser (Debian's chromium, headless, through Playwright) against the real app served on
loopback. Outside CI the browser tests skip only when chromium is absent; in CI they require it."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots, git-ignored


def chromium_path() -> str | None:
    return os.environ.get("KINERJA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI (make test installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def serve() -> Iterator[object]:
    """``serve(app)``: the app on a free loopback port; returns its base URL."""
    servers = []

    def start(app: object) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> object:
    """``shots(page, "name")``: a full-page screenshot kept under test-artifacts/<test>/."""
    folder = ARTIFACTS / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page: object, name: str) -> Path:
        target = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(target), full_page=True)  # type: ignore[attr-defined]
        return target

    return take
