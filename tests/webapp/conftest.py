"""The real app on the test database: a client per person, the two-lane process deployed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from engine import users
from engine.runtime import Engine
from engine.users import Actor
from tests.support import NIP_ANI, NIP_BUDI, deploy_files
from webapp import create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "kata-sandi-rahasia"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """Compile the catalogs as ``make`` does, when the .mo is missing or older than its .po."""
    for po in (ROOT / "webapp" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "PAGE_SIZE": 50}, engine=engine)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once: scrypt is slow on purpose, and every test signs people in."""
    return users.hash_password(PASSWORD)


def give_password(tx: Any, username: str, hashed: str) -> None:
    """Let a user sign in with PASSWORD (the hash made once; each login still checks it)."""
    tx.store.user(username).password_hash = hashed


@pytest.fixture
def people(engine: Engine, password_hash: str) -> dict[str, Actor]:
    """Ani (pegawai), Budi (penilai), Citra (penilai), Dedi (auditor), Eka (bkpsdm), each with a password."""
    with engine.transaction() as tx:
        made = {
            "ani": users.add_user(tx, "ani", ["pegawai"], display_name="Ani Wulandari", nip=NIP_ANI),
            "budi": users.add_user(tx, "budi", ["penilai"], display_name="Budi Santoso", nip=NIP_BUDI),
            "citra": users.add_user(tx, "citra", ["penilai"], display_name="Citra"),
            "dedi": users.add_user(tx, "dedi", ["auditor"], display_name="Dedi"),
            "eka": users.add_user(tx, "eka", ["bkpsdm"], display_name="Eka"),
        }
        for username in made:
            give_password(tx, username, password_hash)
        return made


@pytest.fixture
def deployed(engine: Engine) -> None:
    deploy_files(engine, "two_lane_approval.bpmn", "assigned_review.bpmn")


def token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of this client's session, read from a page as a browser would."""
    page = client.get(path, follow_redirects=True)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST a form as the page would send it, CSRF token included."""
    return client.post(path, data={"csrf_token": token(client, "/"), **(data or {})}, **kw)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token(client)}
    )


@pytest.fixture
def as_user(app: Flask, people: dict[str, Actor]) -> Iterator[Any]:
    """``as_user("ani")``: a client signed in as that person."""

    def make(username: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    yield make
