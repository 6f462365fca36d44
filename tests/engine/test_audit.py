"""The audit trail detects any change, deletion or reordering of its rows made directly in SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from engine import audit
from tests.support import GOOD_PROPOSAL, add_people, complete, deploy_files, start


def run_a_process(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    first = start(engine, "rencana_kerja")
    complete(engine, people["ani"], first.open_tasks[0].id, GOOD_PROPOSAL)
    second = start(engine, "rencana_kerja")
    return first.instance_id, second.instance_id


def tamper(database_url, *statements):
    """What an attacker with SQL access does: switch off the append-only triggers, then edit."""
    db = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with db.begin() as conn:
        if db.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
        for statement in statements:
            conn.execute(text(statement))
    db.dispose()


def verify(engine):
    with engine.transaction(write=False) as tx:
        return audit.verify(tx)


def test_an_untouched_trail_verifies(engine):
    run_a_process(engine)
    result = verify(engine)
    assert result.ok and result.instances_checked == 2 and result.events_checked >= 8


def test_the_database_refuses_updates_and_deletes_of_events(engine, database_url):
    run_a_process(engine)
    db = create_engine(database_url)
    for statement in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), db.begin() as conn:
            conn.execute(text(statement))
    db.dispose()
    assert verify(engine).ok


@pytest.mark.parametrize(
    ("statements", "seq", "reason"),
    [
        (
            [
                "UPDATE audit_event SET payload = replace(payload, '20 laporan', '99 laporan') WHERE chain = 'instance/1'"
            ],
            3,
            "changed",
        ),
        (["UPDATE audit_event SET actor = 'budi' WHERE chain = 'instance/1' AND seq = 4"], 4, "changed"),
        (["DELETE FROM audit_event WHERE chain = 'instance/1' AND seq = 3"], 3, "missing"),
        (
            [
                "UPDATE audit_event SET seq = 100 WHERE chain = 'instance/1' AND seq = 2",
                "UPDATE audit_event SET seq = 2 WHERE chain = 'instance/1' AND seq = 3",
                "UPDATE audit_event SET seq = 3 WHERE chain = 'instance/1' AND seq = 100",
            ],
            2,
            "follow",
        ),
        (
            [
                "DELETE FROM audit_event WHERE chain = 'instance/1' AND seq = (SELECT max(seq) FROM audit_event "
                "WHERE chain = 'instance/1')"
            ],
            4,
            "removed",
        ),
        (["DELETE FROM audit_event WHERE chain = 'instance/1'"], 1, "gone"),
    ],
    ids=[
        "payload-changed",
        "actor-changed",
        "row-deleted",
        "rows-reordered",
        "newest-deleted",
        "all-deleted",
    ],
)
def test_tampering_is_found_and_named(engine, database_url, statements, seq, reason):
    first, _second = run_a_process(engine)
    tamper(database_url, *statements)
    result = verify(engine)
    assert not result.ok
    broken = result.first_broken
    assert (broken.instance_id, broken.chain) == (first, f"instance/{first}")
    assert broken.seq == seq
    assert reason in broken.reason
