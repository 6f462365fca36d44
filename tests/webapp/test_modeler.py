"""The process owner's pages over HTTP: who reaches them (a matrix over every role), the editor's JSON
answers, refusals that change nothing, drafts that stay their author's, and moving instances."""

from __future__ import annotations

import pytest

from engine import users
from tests.engine.test_migration import FILE, KEY, V1, V2
from tests.engine.test_modeling import UNASSIGNED
from tests.support import start
from tests.webapp.conftest import give_password, login, post

EDIT = f"/modeler/{KEY}/1"
OWNER_PAGES = [
    ("get", "/modeler"),
    ("get", f"/modeler/{KEY}"),
    ("get", f"{EDIT}/edit/{FILE}"),
    ("get", f"{EDIT}/files/{FILE}"),
    ("post", f"{EDIT}/validate"),
    ("post", f"{EDIT}/draft"),
    ("post", f"{EDIT}/deploy"),
    ("get", f"/modeler/{KEY}/migrate?to=1"),
    ("post", f"/modeler/{KEY}/migrate"),
]


# an auditor who also owns processes is read-only all the same; an admin who owns them is an owner
BOTH = ("auditor+pemilik_proses", "admin+pemilik_proses")


@pytest.fixture
def everyone(engine, deployed, password_hash):
    """One person per role (and per pair in BOTH), each able to sign in."""
    with engine.transaction() as tx:
        for role in (*users.ROLES, *BOTH):
            username = f"user-{role.replace('_', '-').replace('+', '-')}"
            users.add_user(tx, username, role.split("+"), display_name=role)
            give_password(tx, username, password_hash)


def signed_in(app, role):
    client = app.test_client()
    if role is not None:
        assert login(client, f"user-{role.replace('_', '-').replace('+', '-')}").status_code == 303
    return client


def send(client, method, path, data=None):
    if method == "get":
        return client.get(path)
    return post(client, path, {"file": FILE, "content": V1, "note": "", "to": "1", **(data or {})})


OWNERS = ("pemilik_proses", "admin+pemilik_proses")


@pytest.mark.parametrize("role", [*users.ROLES, *BOTH, None])
def test_only_the_process_owner_reaches_the_modeler(app, everyone, role):
    client = signed_in(app, role)
    expected = 200 if role in OWNERS else 302 if role is None else 403  # 403, never 404
    for method, path in OWNER_PAGES:
        assert (path, send(client, method, path).status_code) == (path, expected)
    menu = client.get("/").get_data(as_text=True) if role else ""
    assert ('href="/modeler"' in menu) == (role in OWNERS)


@pytest.fixture
def owner(app, everyone):
    return signed_in(app, "pemilik_proses")


def versions(engine):
    with engine.transaction(write=False) as tx:
        return [r.version for r in tx.store.definition_versions(KEY)]


def test_validation_and_refused_deploy_answer_with_problems_on_elements(owner, engine):
    checked = send(owner, "post", f"{EDIT}/validate", {"content": UNASSIGNED})
    assert checked.status_code == 200
    [problem] = checked.get_json()["errors"]
    assert (problem["element"], problem["shape"]) == ("setujui_rencana", "setujui_rencana")
    refused = send(owner, "post", f"{EDIT}/deploy", {"content": UNASSIGNED, "note": "tanpa lajur"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == checked.get_json()["errors"]
    assert versions(engine) == [1]


@pytest.mark.parametrize(
    "content, problem",
    [
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
        ("<bpmn:definitions", "not well-formed"),
        ("<html><body>not a model</body></html>", "not a BPMN 2.0 or DMN document"),
    ],
)
def test_unsafe_or_broken_models_are_refused_and_change_nothing(owner, engine, content, problem):
    response = send(owner, "post", f"{EDIT}/deploy", {"content": content})
    assert response.status_code == 422
    assert problem in response.get_json()["errors"][0]["message"]
    assert versions(engine) == [1]


@pytest.mark.parametrize(
    "data, status", [({"content": ""}, 400), ({"file": ""}, 400), ({"file": "x.bpmn"}, 404)]
)
def test_editor_posts_with_missing_parts_are_refused(owner, data, status):
    response = send(owner, "post", f"{EDIT}/draft", data)
    assert response.status_code == status
    assert response.get_json()["message"]


def test_deploy_from_the_editor_makes_a_new_version(owner, engine):
    response = send(owner, "post", f"{EDIT}/deploy", {"content": V2, "note": "kolom alasan"})
    assert response.get_json() == {"message": "Diterapkan sebagai versi 2.", "location": f"/modeler/{KEY}"}
    assert versions(engine) == [2, 1]
    page = owner.get(f"/modeler/{KEY}").get_data(as_text=True)
    assert "kolom alasan" in page and "alasan" in page and "Usulkan rencana kerja tahunan" in page
    assert f'href="/modeler/{KEY}/1/edit/{FILE}"' in page  # any deployed version opens in the modeler


def test_drafts_are_kept_reopened_and_private(app, owner, engine, password_hash):
    saved = send(owner, "post", f"{EDIT}/draft", {"content": V2})
    assert saved.get_json()["message"] == "Draf tersimpan."
    draft_id = saved.get_json()["id"]
    listed = owner.get(f"/modeler/{KEY}").get_data(as_text=True)
    assert f"draft={draft_id}" in listed
    assert owner.get(f"/modeler/drafts/{draft_id}").get_data(as_text=True) == V2
    assert f"/modeler/drafts/{draft_id}" in owner.get(f"{EDIT}/edit/{FILE}?draft={draft_id}").get_data(
        as_text=True
    )
    with engine.transaction() as tx:
        users.add_user(tx, "pemilik-lain", ["pemilik_proses"], display_name="Pemilik lain")
        give_password(tx, "pemilik-lain", password_hash)
    other = app.test_client()
    login(other, "pemilik-lain")
    assert other.get(f"/modeler/drafts/{draft_id}").status_code == 404
    assert other.get(f"{EDIT}/edit/{FILE}?draft={draft_id}").status_code == 404
    assert post(other, f"/modeler/drafts/{draft_id}/discard").status_code == 404
    assert post(owner, f"/modeler/drafts/{draft_id}/discard").status_code == 303
    assert owner.get(f"/modeler/drafts/{draft_id}").status_code == 404


def test_editor_page_loads_only_our_own_scripts(owner):
    page = owner.get(f"{EDIT}/edit/{FILE}")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src" not in policy  # scripts: same origin only
    html = page.get_data(as_text=True)
    assert '<script src="/modeler-assets/bpmn.js">' in html and "http" not in html.split("<main")[1]
    bundle = owner.get("/modeler-assets/bpmn.js")  # built by make (esbuild)
    assert bundle.status_code == 200 and b"bpmn" in bundle.get_data()
    bundle.close()
    assert owner.get("/modeler-assets/package.json").status_code == 404


def test_dry_run_then_migration_from_the_pages(owner, engine):
    instance = start(engine, KEY, {"nama": "Ani"}).instance_id
    send(owner, "post", f"{EDIT}/deploy", {"content": V2, "note": "kolom alasan"})
    with engine.transaction(write=False) as tx:
        before = tx.store.lean.instance(instance)
    plan = owner.get(f"/modeler/{KEY}/migrate?to=2").get_data(as_text=True)
    assert f'name="instance" value="{instance}"' in plan and "Dapat dipindahkan" in plan
    with engine.transaction(write=False) as tx:
        assert tx.store.lean.instance(instance) == before  # a dry run changes nothing
    done = post(owner, f"/modeler/{KEY}/migrate", {"to": "2", "instance": str(instance)})
    assert "1 dipindahkan, 0 tetap pada versinya." in done.get_data(as_text=True)
    with engine.transaction(write=False) as tx:
        row = tx.store.lean.instance(instance)
        assert tx.store.definition(row.definition_id).version == 2
    assert owner.get(f"/modeler/{KEY}/migrate?to=x").status_code == 400
