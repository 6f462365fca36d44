"""In a real browser: the API's browsable view (Swagger UI from npm, no CDN) lists every operation of the
OpenAPI document under the pages' Content-Security-Policy."""

from __future__ import annotations

import pytest

from webapp import create_app

pytestmark = pytest.mark.browser


def test_the_api_docs_show_every_operation(browser, serve, shots, engine):
    app = create_app({"SECRET_KEY": "e2e"}, engine=engine)
    base = serve(app)
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    verbs = {"get", "post", "put", "patch", "delete"}
    operations = sum(len(verbs.intersection(item)) for item in spec["paths"].values())
    page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base + "/api/v1/docs")
    page.wait_for_selector(".opblock")
    shots(page, "api-docs")
    assert page.locator(".opblock").count() == operations
    assert page.get_by_text("/api/v1/tasks/{task_id}/complete").count() == 1
    assert outside == []  # nothing from a CDN
