"""Tokens: signing in for one, using it, expiry, revocation (by the API and by the CLI), throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from engine import tokens
from engine.cli import main
from engine.errors import BadRequest, NotFound
from tests.api.conftest import Client, assert_error, issue
from tests.webapp.conftest import PASSWORD
from webapp import create_app


def test_a_password_gets_a_token_that_opens_the_api(app, people, engine):
    anon = Client(app, None)
    response = anon.post("/auth/token", json={"username": "ani", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("kin_") and body["token_type"] == "Bearer"
    assert body["username"] == "ani" and body["roles"] == ["pegawai"]
    assert body["token"].startswith(body["prefix"])
    # only the hash is stored: the secret appears nowhere in the database
    with engine.transaction(write=False) as tx:
        [listed] = tokens.listed(tx, "ani")
        assert tx.store.tokens.by_hash(body["token"]) is None
        assert tx.store.tokens.by_hash(tokens.digest(body["token"]))["id"] == listed.id
    assert listed.expires_at - listed.created_at == timedelta(hours=8)
    assert Client(app, body["token"]).get("/tasks").status_code == 200
    assert "Set-Cookie" not in response.headers  # stateless: no session


def test_a_wrong_password_or_unknown_user_is_401(app, people):
    anon = Client(app, None)
    assert_error(anon.post("/auth/token", json={"username": "ani", "password": "salah"}), 401, "unauthorized")
    assert_error(anon.post("/auth/token", json={"username": "zed", "password": "x"}), 401, "unauthorized")


def test_bad_token_requests_name_the_field(app, people):
    anon = Client(app, None)
    body = assert_error(anon.post("/auth/token", json={"username": "ani"}), 422, "validation_failed")
    assert list(body["errors"]) == ["password"]
    body = assert_error(
        anon.post("/auth/token", json={"username": "ani", "password": "x", "pin": 1}),
        422,
        "validation_failed",
    )
    assert list(body["errors"]) == ["pin"]
    assert_error(
        anon.post("/auth/token", data="{not json", content_type="application/json"), 400, "bad_request"
    )
    assert_error(
        anon.post("/auth/token", data={"username": "ani", "password": PASSWORD}),
        415,
        "unsupported_media_type",
    )


def test_no_token_a_malformed_one_or_an_unknown_one_is_401(api):
    for header in (None, "Bearer", "Bearer kin_nope", "Basic YW5pOng=", "bearer  "):
        client = api(None)
        response = client.get("/tasks", headers={"Authorization": header} if header else {})
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_an_expired_token_is_refused(api, engine, clock):
    client = api("ani")
    assert client.get("/tasks").status_code == 200
    clock.advance(timedelta(hours=8, seconds=1))
    assert_error(client.get("/tasks"), 401, "unauthorized")


def test_a_revoked_token_is_refused_and_others_keep_working(api):
    first, second = api("ani"), api("ani")
    assert first.delete("/auth/token").status_code == 204
    assert_error(first.get("/tasks"), 401, "unauthorized")
    assert_error(first.delete("/auth/token"), 401, "unauthorized")
    assert second.get("/tasks").status_code == 200


def test_a_deactivated_users_token_is_refused(api, engine):
    client = api("ani")
    with engine.transaction() as tx:
        tx.store.user("ani").active = False
    assert_error(client.get("/tasks"), 401, "unauthorized")


def test_a_session_cookie_does_not_open_the_api(app, as_user):
    browser = as_user("ani")  # signed in to the pages
    assert_error(browser.get("/api/v1/tasks"), 401, "unauthorized")


def test_last_use_is_noted(api, engine, clock):
    client = api("budi")
    client.get("/tasks")
    with engine.transaction(write=False) as tx:
        [token] = tokens.listed(tx, "budi")
    assert token.last_used_at == clock.now()


def test_failed_token_requests_are_throttled(engine, people):
    app = create_app({"SECRET_KEY": "k", "LOGIN_LIMITS": "2 per minute"}, engine=engine)
    anon = Client(app, None)
    for _ in range(2):
        anon.post("/auth/token", json={"username": "ani", "password": "salah"})
    response = anon.post("/auth/token", json={"username": "ani", "password": PASSWORD})
    assert_error(response, 429, "too_many_requests")


def test_service_accounts_and_tokens_from_the_cli(engine, database_url, clock):
    runner = CliRunner()
    env = {"KINERJA_DATABASE_URL": database_url}
    added = runner.invoke(
        main, ["users", "add", "svc-ikm", "--service", "--role", "pengelola_kinerja"], env=env
    )
    assert added.exit_code == 0, added.output
    made = runner.invoke(main, ["tokens", "create", "svc-ikm", "--name", "ikm", "--days", "90"], env=env)
    assert made.exit_code == 0, made.output
    secret = made.stdout.splitlines()[0]
    with engine.transaction(write=False) as tx:
        bearer = tokens.authenticate(tx, secret)
    assert bearer is not None and bearer.actor.roles == {"pengelola_kinerja"}
    assert bearer.token.service and bearer.token.expires_at - bearer.token.created_at == timedelta(days=90)
    listed = runner.invoke(main, ["tokens", "list", "--user", "svc-ikm"], env=env)
    assert "active" in listed.output and bearer.token.prefix in listed.output and secret not in listed.output
    revoked = runner.invoke(main, ["tokens", "revoke", str(bearer.token.id)], env=env)
    assert revoked.exit_code == 0, revoked.output
    with engine.transaction(write=False) as tx:
        assert tokens.authenticate(tx, secret) is None
        assert tokens.listed(tx, "svc-ikm")[0].status(clock.now()) == "revoked"
    assert runner.invoke(main, ["tokens", "revoke", "999"], env=env).exit_code == 6


def test_a_token_for_an_unknown_user_or_with_a_bad_lifetime_is_refused(engine, people):
    with engine.transaction() as tx, pytest.raises(NotFound):
        tokens.issue(tx, "zed")
    with engine.transaction() as tx, pytest.raises(BadRequest):
        tokens.issue(tx, "ani", lifetime=timedelta(days=400))
    assert issue(engine, "ani", lifetime=timedelta(minutes=5)).startswith("kin_")
