"""Verifying the audit trail over the API: for auditors; a changed event is named."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.api.conftest import assert_error
from tests.engine.test_audit import tamper
from tests.support import NIP_ANI, start


def test_an_auditor_verifies_every_chain_and_hears_of_the_first_change(api, engine, database_url, deployed):
    instance = start(engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI}).instance_id
    body = api("dedi").get("/audit/verify").get_json()
    assert body["ok"] is True and body["first_broken"] is None and body["instances_checked"] == 1
    tamper(database_url, f"UPDATE audit_event SET actor = 'x' WHERE seq = 2 AND instance_id = {instance}")
    try:
        body = api("dedi").get("/audit/verify").get_json()
    finally:
        if engine.database.is_postgres:  # switch the append-only trigger back on for the next tests
            db = create_engine(database_url)
            with db.begin() as conn:
                conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
            db.dispose()
    assert body["ok"] is False
    assert (body["first_broken"]["instance_id"], body["first_broken"]["seq"]) == (instance, 2)


def test_staff_may_not_verify(api, people):
    for who in ("ani", "budi", "eka"):
        assert_error(api(who).get("/audit/verify"), 403, "forbidden")
