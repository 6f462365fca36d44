"""Two people completing one task at the same moment: exactly one wins, the other gets a conflict."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from engine import instances
from engine.errors import Conflict
from engine.history import history
from engine.status import AuditType
from tests.support import GOOD_PROPOSAL, add_people, deploy_files, start


def _setup(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    outcome = start(engine, "rencana_kerja")
    return people["ani"], outcome.open_tasks[0].id, outcome.instance_id


def _attempt(engine, actor, task_id, barrier):
    barrier.wait(timeout=30)
    tx = engine.begin()
    try:
        instances.complete(tx, task_id, GOOD_PROPOSAL, actor)
        tx.commit()
        return "ok"
    except Conflict:
        tx.rollback()
        return "conflict"
    finally:
        tx.close()


def _completions(engine, instance_id):
    with engine.transaction(write=False) as tx:
        return [e for e in history(tx, instance_id) if e.type == AuditType.TASK_COMPLETED]


@pytest.mark.parametrize("racers", [2, 6])
def test_concurrent_completions_one_wins(engine, racers):
    ani, task_id, instance_id = _setup(engine)
    barrier = threading.Barrier(racers)
    with ThreadPoolExecutor(racers) as pool:
        results = list(pool.map(lambda _: _attempt(engine, ani, task_id, barrier), range(racers)))
    assert sorted(results) == ["conflict"] * (racers - 1) + ["ok"]
    assert len(_completions(engine, instance_id)) == 1


def test_the_second_completion_waits_for_the_first_and_then_conflicts(engine):
    ani, task_id, instance_id = _setup(engine)
    first = engine.begin()
    instances.complete(first, task_id, GOOD_PROPOSAL, ani)  # holds the instance lock, not yet committed
    result: list[str] = []

    def second() -> None:
        tx = engine.begin()
        try:
            instances.complete(tx, task_id, GOOD_PROPOSAL, ani)
            tx.commit()
            result.append("ok")
        except Conflict as exc:
            result.append(f"conflict: {exc.message}")
        finally:
            tx.close()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive() and result == []  # blocked on the lock, not racing ahead
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert result == [f"conflict: task {task_id} is already completed"]
    assert len(_completions(engine, instance_id)) == 1
