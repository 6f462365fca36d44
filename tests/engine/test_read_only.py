"""An auditor reads everything and changes nothing: every command that changes state refuses a person
holding a read-only role (ReadOnly, a PermissionDenied: 403 on the web, exit 5 on the CLI), whatever
other roles they hold, before it looks at the task; the one exception is a task the process assigned to
them personally (an auditor is an employee too, with an SKP of their own)."""

from __future__ import annotations

import pytest

from engine import batch, deploy, instances, messages, migration, users
from engine.errors import PermissionDenied, ReadOnly
from tests.support import GOOD_PROPOSAL, add_people, complete, deploy_files, source, start


@pytest.fixture
def world(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    [task] = start(engine, "rencana_kerja", {"nip": people["ani"].nip}).open_tasks
    return people, task.id


COMMANDS = {
    "start": lambda tx, a, task: instances.start(tx, "rencana_kerja", a, {}),
    "start-many": lambda tx, a, task: batch.start_many(tx, "rencana_kerja", a, {}, [({}, "k/1")]),
    "claim": lambda tx, a, task: instances.claim(tx, task, a),
    "release": lambda tx, a, task: instances.release(tx, task, a),
    "complete": lambda tx, a, task: instances.complete(tx, task, GOOD_PROPOSAL, a),
    "cancel": lambda tx, a, task: instances.cancel(tx, 1, a),
    "deploy": lambda tx, a, task: deploy.deploy(tx, [source("assigned_review.bpmn")], a),
    "message": lambda tx, a, task: messages.deliver(tx, "X", {}, None, actor=a),
    "migrate": lambda tx, a, task: migration.migrate(tx, a, 1, 1),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_auditor_may_run_no_command_that_changes_anything(engine, world, command):
    people, task = world
    with engine.transaction() as tx, pytest.raises(ReadOnly) as refused:
        COMMANDS[command](tx, people["dedi"], task)
    assert isinstance(refused.value, PermissionDenied) and refused.value.code == "read_only"
    with engine.transaction(write=False) as tx:  # nothing changed: one instance, its task still open
        assert tx.store.instances()[1] == 1
        assert tx.store.task(task).status == "open"


def test_an_auditor_who_is_also_an_employee_changes_nothing_but_their_own_assigned_work(engine, world):
    people, queued = world
    deploy_files(engine, "assigned_review.bpmn")
    with engine.transaction() as tx:
        fajar = users.add_user(tx, "fajar", ["auditor", "pegawai"], nip="197001012000011001")
    assert fajar.read_only
    # the pegawai queue task is one he holds a role for: still refused
    with engine.transaction() as tx, pytest.raises(ReadOnly):
        instances.claim(tx, queued, fajar)
    with engine.transaction() as tx, pytest.raises(ReadOnly):
        instances.complete(tx, queued, GOOD_PROPOSAL, fajar)
    # a task the process assigned to him personally (his own evaluation) he completes
    [own] = start(engine, "assigned_review", {"penilai_nip": fajar.nip}).open_tasks
    [others] = start(engine, "assigned_review", {"penilai_nip": people["budi"].nip}).open_tasks
    assert complete(engine, fajar, own.id, {"skor": 80}).status == "completed"
    with engine.transaction() as tx, pytest.raises(ReadOnly):
        instances.complete(tx, others.id, {"skor": 80}, fajar)


def test_the_refusal_comes_before_the_task_is_looked_up(engine, world):
    people, _task = world
    with engine.transaction() as tx, pytest.raises(ReadOnly):
        instances.claim(tx, 999_999, people["dedi"])  # 403, not 404: no lookup happens at all
