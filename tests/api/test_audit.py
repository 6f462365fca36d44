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
    for who in ("ani", "budi"):
        assert_error(api(who).get("/audit/verify"), 403, "forbidden")
    assert api("eka").get("/audit/verify").get_json()["ok"] is True  # HR, as on the audit pages


def test_an_auditors_reads_over_the_api_are_in_the_access_log(api, engine, deployed):
    instance = start(engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI}).instance_id
    dedi = api("dedi")
    for path in (f"/process-instances?subject={NIP_ANI}", f"/process-instances/{instance}"):
        assert dedi.get(path).status_code == 200
    assert dedi.get(f"/process-instances/{instance}/history").status_code == 200
    assert dedi.get("/audit/verify").status_code == 200
    assert api("eka").get(f"/process-instances/{instance}").status_code == 200  # HR: daily work, not logged
    with engine.transaction(write=False) as tx:
        logged = [(a.actor, a.action, a.instance_id, a.params) for a in reversed(tx.store.audit.accesses())]
    assert logged == [
        ("dedi", "search", None, f'{{"nip":"{NIP_ANI}","offset":0}}'),
        ("dedi", "instance", instance, "{}"),
        ("dedi", "instance", instance, '{"history":true}'),
        ("dedi", "verify", None, '{"ok":true}'),
    ]
