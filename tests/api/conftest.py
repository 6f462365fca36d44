"""The API on the test database: tokens for the people of the web app's fixtures, a JSON client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from engine import tokens
from engine.runtime import Engine
from tests.webapp.conftest import (  # noqa: F401
    app,
    as_user,
    compiled_catalogs,
    deployed,
    password_hash,
    people,
)


class Client:
    """A JSON client of /api/v1 with one bearer token (or none)."""

    def __init__(self, flask_app: Flask, token: str | None) -> None:
        self._client = flask_app.test_client()
        self.token = token

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self._client.open("/api/v1" + path, method=method, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        if json is not None:
            kw["json"] = json
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


def issue(engine: Engine, username: str, **kw: Any) -> str:
    with engine.transaction() as tx:
        return tokens.issue(tx, username, **kw).secret


@pytest.fixture
def api(app: Flask, engine: Engine, people: dict[str, Any]) -> Callable[[str | None], Client]:  # noqa: F811
    """``api("ani")``: a client with a fresh token of Ani's; ``api(None)``: no token."""

    def make(username: str | None) -> Client:
        return Client(app, issue(engine, username) if username else None)

    return make


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the error body of DESIGN.md with this status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    assert body["error"] == code and isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"error", "message", "errors"}
    return body
