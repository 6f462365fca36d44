"""The app's frame: sessions, CSRF, login throttling, error pages and the API's error body."""

from __future__ import annotations

import pytest

from tests.webapp.conftest import PASSWORD, login, post, token
from webapp import create_app


def test_login_then_logout(app, people):
    client = app.test_client()
    assert client.get("/").headers["Location"].startswith("/login?next=")
    response = login(client, "ani")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Selamat datang, Ani Wulandari." in client.get("/").get_data(as_text=True)
    assert post(client, "/logout").status_code == 303
    assert client.get("/").status_code == 302


def test_login_goes_back_where_the_person_was_going_but_never_off_site(app, people):
    client = app.test_client()
    csrf = token(client)
    response = client.post(
        "/login?next=/tasks/7", data={"username": "ani", "password": PASSWORD, "csrf_token": csrf}
    )
    assert response.headers["Location"] == "/tasks/7"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        other = app.test_client()
        response = other.post(
            f"/login?next={evil}", data={"username": "ani", "password": PASSWORD, "csrf_token": token(other)}
        )
        assert response.headers["Location"] == "/", evil


def test_wrong_password_says_so_and_keeps_the_name(app, people):
    client = app.test_client()
    response = login(client, "ani", "salah")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in page and 'value="ani"' in page
    assert client.get("/").status_code == 302  # still signed out


def test_session_cookie_is_httponly_lax_and_secure_on_https(app, people):
    client = app.test_client()
    login(client, "ani")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    secure = app.test_client()
    csrf = token(secure)
    response = secure.post(
        "/login",
        data={"username": "ani", "password": PASSWORD, "csrf_token": csrf},
        base_url="https://kinerja.example",
    )
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_a_post_without_csrf_token_is_refused(app, people, deployed):
    client = app.test_client()
    login(client, "ani")
    response = client.post("/logout")
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in: nothing happened
    assert client.post("/login", data={"username": "ani", "password": PASSWORD}).status_code == 400
    forged = client.post("/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 400


def test_repeated_failed_logins_are_blocked_for_that_name_and_address(engine, people):
    app = create_app({"SECRET_KEY": "k", "LOGIN_LIMITS": "3 per minute"}, engine=engine)
    client = app.test_client()
    codes = [login(client, "ani", "tebak").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    blocked = login(client, "ani")  # even the right password waits now
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)
    # another address guessing the same name is blocked as well (the name has its own limit)
    other = app.test_client()
    response = other.post(
        "/login",
        data={"username": "ani", "password": "tebak", "csrf_token": token(other)},
        environ_overrides={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 429


def test_successful_logins_do_not_count_against_the_limit(engine, people):
    app = create_app({"SECRET_KEY": "k", "LOGIN_LIMITS": "2 per minute"}, engine=engine)
    for _ in range(4):
        client = app.test_client()
        assert login(client, "budi").status_code == 303


def test_error_pages_for_people_and_json_for_the_api(app, people):
    client = app.test_client()
    login(client, "ani")
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Tidak ditemukan" in page.get_data(as_text=True)
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404
    assert api.get_json() == {"error": "not_found", "message": api.get_json()["message"]}


def test_pages_carry_security_headers_and_are_not_cached(app, people):
    client = app.test_client()
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_english_by_a_switch_kept_for_the_session(app, people):
    client = app.test_client()
    assert "Kata sandi" in client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token(client)})
    assert response.headers["Location"] == "/login"
    assert "Password" in client.get("/login").get_data(as_text=True)
    login(client, "ani")
    assert "My tasks" in client.get("/").get_data(as_text=True)  # survives signing in


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/login", {"username": "ani\x00", "password": "x"}),
        ("get", "/performance/1990%00", None),
        ("get", "/tasks/1?x=%00", None),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400(app, people, method, path, data):
    client = app.test_client()
    login(client, "ani")
    response = getattr(client, method)(path, data={**(data or {}), "csrf_token": token(client, "/")})
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.get_data(as_text=True)


def test_health(app):
    assert app.test_client().get("/health").get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    "path",
    ["/tasks/99999999999", "/evaluations/2147483648", "/audit/instances/99999999999999999999"],
)
def test_an_id_past_the_database_range_is_a_plain_404(app, people, path):
    client = app.test_client()
    login(client, "ani")
    assert client.get(path).status_code == 404
