"""Checkpoints record the heads of every chain, so that even a whole instance removed (its events and
its row) is found; checkpoints are chained to one another, and the scheduler makes them on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from engine import audit, checkpoints, inspection, users
from engine.errors import Conflict
from engine.runtime import Engine, Settings
from engine.scheduler import Scheduler
from tests.engine.test_audit import run_a_process, tamper
from tests.support import GOOD_PROPOSAL, complete, start


def verify(engine):
    with engine.transaction(write=False) as tx:
        return audit.verify(tx)


def checkpoint(engine):
    with engine.transaction() as tx:
        return checkpoints.create(tx, users.SYSTEM)


def test_a_checkpoint_records_every_chain_then_only_those_that_moved(engine):
    run_a_process(engine)
    made = checkpoint(engine)
    # two instance chains and the two deployed keys' chains
    assert (made.seq, made.chains, made.changed) == (1, 4, 4)
    assert checkpoint(engine).changed == 0
    start(engine, "rencana_kerja")
    again = checkpoint(engine)
    assert (again.seq, again.chains, again.changed) == (3, 5, 1)
    result = verify(engine)
    assert result.ok and result.checkpoints_checked == 3


def test_a_whole_instance_removed_is_found_by_the_checkpoint(engine, database_url):
    first, _second = run_a_process(engine)
    checkpoint(engine)
    assert verify(engine).ok
    # the attacker removes the instance's events and every row that could miss them
    tamper(
        database_url,
        f"DELETE FROM audit_event WHERE chain = 'instance/{first}'",
        f"DELETE FROM task_candidate WHERE task_id IN (SELECT id FROM human_task WHERE instance_id = {first})",
        f"DELETE FROM human_task WHERE instance_id = {first}",
        f"DELETE FROM process_instance WHERE id = {first}",
    )
    result = verify(engine)
    assert not result.ok
    assert result.first_broken.to_dict() == {
        "chain": f"instance/{first}",
        "instance_id": first,
        "seq": 1,
        "reason": "the chain is gone; a checkpoint recorded 4 events",
    }


def test_newest_events_cut_off_with_the_row_put_back_are_found(engine, database_url):
    first, _second = run_a_process(engine)
    checkpoint(engine)
    # cut the last two events and make the instance row agree, as a careful attacker would
    tamper(
        database_url,
        f"DELETE FROM audit_event WHERE chain = 'instance/{first}' AND seq > 3",
        f"UPDATE process_instance SET audit_seq = 3, audit_head = (SELECT hash FROM audit_event "
        f"WHERE chain = 'instance/{first}' AND seq = 3) WHERE id = {first}",
    )
    broken = verify(engine).first_broken
    assert (broken.instance_id, broken.seq) == (first, 4)
    assert "recorded by a checkpoint, were removed" in broken.reason


def test_a_changed_checkpoint_is_found_and_no_new_one_vouches_for_it(engine, database_url):
    run_a_process(engine)
    checkpoint(engine)
    checkpoint(engine)
    edit_checkpoints(database_url, "UPDATE audit_checkpoint SET chains = 99 WHERE seq = 1")
    broken = verify(engine).first_broken
    assert (broken.chain, broken.seq) == ("checkpoint", 1)
    with pytest.raises(Conflict, match="checkpoint 1 is broken"):
        checkpoint(engine)


def edit_checkpoints(database_url, statement):
    """Switch off the checkpoint table's append-only trigger, then edit it."""
    db = create_engine(database_url)
    with db.begin() as conn:
        if db.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_checkpoint_no_update"))
        conn.execute(text(statement))
        if db.dialect.name == "postgresql":  # the database is reused by later tests
            conn.execute(text("ALTER TABLE audit_checkpoint ENABLE TRIGGER audit_checkpoint_append_only"))
    db.dispose()


def test_the_database_refuses_to_change_checkpoints_and_the_access_log(engine, database_url):
    run_a_process(engine)
    checkpoint(engine)
    with engine.transaction() as tx:
        inspection.log_access(tx, users.actor(tx, "dedi"), "verify")
    db = create_engine(database_url)
    for statement in (
        "UPDATE audit_checkpoint SET chains = 0",
        "DELETE FROM audit_checkpoint",
        "UPDATE audit_access SET actor = 'x'",
        "DELETE FROM audit_access",
    ):
        with pytest.raises(Exception, match="append-only"), db.begin() as conn:
            conn.execute(text(statement))
    db.dispose()


def test_the_scheduler_makes_a_checkpoint_every_interval(database_url, clock):
    engine = Engine(database_url, clock=clock, settings=Settings(checkpoint_minutes=60))
    try:
        run_a_process(engine)
        scheduler = Scheduler(engine, send_mail=False)
        scheduler.run_once()
        scheduler.run_once()  # not due again yet
        with engine.transaction(write=False) as tx:
            assert checkpoints.latest(tx).seq == 1
        clock.advance(timedelta(minutes=61))
        [task] = start(engine, "rencana_kerja").open_tasks
        complete(engine, _ani(engine), task.id, GOOD_PROPOSAL)
        scheduler.run_once()
        with engine.transaction(write=False) as tx:
            latest = checkpoints.latest(tx)
        assert (latest.seq, latest.changed) == (2, 1)
    finally:
        engine.close()


def _ani(engine):
    with engine.transaction(write=False) as tx:
        return users.actor(tx, "ani")
