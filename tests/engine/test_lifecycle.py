"""The life of a two-lane approval: deploy, start, queue, claim, complete, next lane, rework, end.

Every step is its own transaction, so the instance is saved and loaded from the database between steps.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine import audit, deploy, instances, tasks, users
from engine.errors import Conflict, NotFound, PermissionDenied
from engine.history import history
from engine.status import AssignmentRule, AuditType, InstanceStatus, TaskStatus
from tests.support import (
    FIXTURES,
    GOOD_PROPOSAL,
    add_people,
    claim,
    complete,
    deploy_files,
    inbox,
    source,
    start,
    titles,
)


def test_two_lane_approval_with_one_rework(engine, clock):
    deployed = deploy_files(engine, "two_lane_approval.bpmn")
    assert {d.key: d.version for d in deployed} == {"Collaboration_rencana": 1, "rencana_kerja": 1}
    people = add_people(engine)
    ani, budi, citra = people["ani"], people["budi"], people["citra"]

    outcome = start(engine, "rencana_kerja", {"nip": ani.nip, "nama": "Ani"}, business_key=f"{ani.nip}/2027")
    assert outcome.status == InstanceStatus.RUNNING
    # the lane 'pegawai' is the role: the proposal waits in every pegawai's queue, due in 7 days
    [proposal] = inbox(engine, ani, "queue")
    assert proposal.title == "Usulkan rencana kerja"
    assert proposal.assignment_rule == AssignmentRule.LANE
    assert proposal.due_at == clock.now() + timedelta(days=7)
    assert proposal.subject_name == "Ani"
    assert inbox(engine, budi, "queue") == []

    claim(engine, ani, proposal.id)
    assert titles(inbox(engine, ani)) == ["Usulkan rencana kerja"]
    assert inbox(engine, ani, "queue") == []

    clock.advance(timedelta(hours=2))
    complete(engine, ani, proposal.id, GOOD_PROPOSAL)
    # the next lane: both penilai see it in their queue
    [review] = inbox(engine, budi, "queue")
    assert [t.id for t in inbox(engine, citra, "queue")] == [review.id]
    assert review.title == "Setujui rencana kerja"

    # the penilai asks for a revision: the proposal comes back (the loop), with the earlier values
    complete(engine, budi, review.id, {"disetujui": False, "catatan": "targetnya kurang jelas"})
    [again] = inbox(engine, ani, "queue")
    with engine.transaction(write=False) as tx:
        shown = tasks.show(tx, again.id, ani)
    assert shown.data["target"] == GOOD_PROPOSAL["target"]
    assert shown.data["catatan"] == "targetnya kurang jelas"
    assert shown.documentation == "Tuliskan **target** tahun ini."

    complete(engine, ani, again.id, {**GOOD_PROPOSAL, "jumlah": 24})
    [review2] = inbox(engine, citra, "queue")
    final = complete(engine, citra, review2.id, {"disetujui": "true"})

    assert final.status == InstanceStatus.COMPLETED
    assert final.open_tasks == []
    assert titles(inbox(engine, ani, "archive")) == ["Usulkan rencana kerja", "Usulkan rencana kerja"]
    assert titles(inbox(engine, budi, "archive")) == ["Setujui rencana kerja"]

    with engine.transaction(write=False) as tx:
        events = history(tx, final.instance_id)
        assert audit.verify(tx).ok
    kinds = [e.type for e in events]
    assert kinds[0] == AuditType.INSTANCE_STARTED and kinds[-1] == AuditType.INSTANCE_COMPLETED
    assert kinds.count(AuditType.TASK_COMPLETED) == 4
    completed = [e for e in events if e.type == AuditType.TASK_COMPLETED]
    assert completed[0].actor == "ani"
    assert completed[0].payload["data"] == GOOD_PROPOSAL
    assert completed[2].payload["changes"]["jumlah"] == {"from": 20, "to": 24}
    created = [e for e in events if e.type == AuditType.TASK_CREATED]
    assert all(e.payload["rule"] == "lane" for e in created)
    assert created[1].payload["candidate_roles"] == ["penilai"]


def test_assignee_expression_sends_the_task_to_one_person(engine):
    deploy_files(engine, "assigned_review.bpmn")
    people = add_people(engine)
    # the assignee is an expression over process data that yields a NIP; the NIP names Budi's account
    outcome = start(engine, "assigned_review", {"nip": people["ani"].nip, "penilai_nip": people["budi"].nip})
    [task] = outcome.open_tasks
    assert task.status == TaskStatus.ASSIGNED
    assert task.assignee == "budi"
    assert task.assignment_rule == AssignmentRule.ASSIGNEE_EXPRESSION
    assert titles(inbox(engine, people["budi"])) == ["Nilai"]
    assert inbox(engine, people["citra"], "queue") == []
    # another penilai may neither see, claim nor complete it; its id reveals nothing
    with engine.transaction() as tx, pytest.raises(NotFound):
        tasks.show(tx, task.id, people["citra"])
    with engine.transaction() as tx, pytest.raises(NotFound):
        instances.complete(tx, task.id, {"skor": 90}, people["citra"])
    # an assigned task cannot be released into a queue
    with engine.transaction() as tx, pytest.raises(Conflict):
        instances.release(tx, task.id, people["budi"])
    with engine.transaction() as tx:
        detail = tasks.show(tx, task.id, people["budi"])
    assert detail.assignment_detail == {"expression": "${penilai_nip}", "value": people["budi"].nip}
    assert complete(engine, people["budi"], task.id, {"skor": 90}).status == InstanceStatus.COMPLETED


def test_only_a_candidate_claims_and_only_the_claimer_completes(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    [task] = start(engine, "rencana_kerja").open_tasks
    with engine.transaction() as tx, pytest.raises(NotFound):
        instances.claim(tx, task.id, people["budi"])  # not offered to a penilai: not even its existence
    claim(engine, people["ani"], task.id)
    with engine.transaction() as tx, pytest.raises(Conflict):
        instances.claim(tx, task.id, people["ani"])
    with engine.transaction() as tx:
        extra = users.add_user(tx, "eka", ["pegawai"])
    with engine.transaction() as tx, pytest.raises(Conflict, match="already taken"):
        instances.complete(tx, task.id, GOOD_PROPOSAL, extra)
    # released, it is back in every candidate's queue
    with engine.transaction() as tx:
        released = instances.release(tx, task.id, people["ani"])
    assert released.status == TaskStatus.OPEN and released.assignee is None
    assert [t.id for t in inbox(engine, extra, "queue")] == [task.id]


def test_completing_a_finished_task_is_a_conflict(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    [task] = start(engine, "rencana_kerja").open_tasks
    complete(engine, people["ani"], task.id, GOOD_PROPOSAL)
    with engine.transaction() as tx, pytest.raises(Conflict, match="already completed"):
        instances.complete(tx, task.id, GOOD_PROPOSAL, people["ani"])


def test_business_key_is_unique_per_process(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    start(engine, "rencana_kerja", business_key="199001012020012001/2027")
    with pytest.raises(Conflict):
        start(engine, "rencana_kerja", business_key="199001012020012001/2027")
    start(engine, "rencana_kerja", business_key="199001012020012001/2028")


def test_starting_an_unknown_process_is_not_found(engine):
    with pytest.raises(NotFound):
        start(engine, "tidak_ada")


def test_cancel_withdraws_open_tasks(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    outcome = start(engine, "rencana_kerja")
    with engine.transaction() as tx, pytest.raises(PermissionDenied):
        instances.cancel(tx, outcome.instance_id, people["ani"])
    with engine.transaction() as tx:
        cancelled = instances.cancel(tx, outcome.instance_id, users.SYSTEM, "salah periode")
    assert cancelled.status == InstanceStatus.CANCELLED
    assert inbox(engine, people["ani"], "queue") == []
    with engine.transaction(write=False) as tx:
        events = history(tx, outcome.instance_id)
    assert [e.type for e in events][-2:] == [AuditType.TASK_CANCELLED, AuditType.INSTANCE_CANCELLED]
    assert events[-1].payload == {"reason": "salah periode"}


def test_a_new_version_runs_new_instances_and_old_ones_keep_theirs(engine):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    old = start(engine, "rencana_kerja")
    content = (
        (FIXTURES / "two_lane_approval.bpmn").read_text().replace("Usulkan rencana kerja", "Usulkan (baru)")
    )
    with engine.transaction() as tx:
        found = deploy.deploy(
            tx, [source("two_lane_approval.bpmn", content.encode())], users.SYSTEM, "judul baru"
        )
    v2 = next(d for d in found if d.key == "rencana_kerja")
    assert (v2.version, v2.new, v2.note) == (2, True, "judul baru")
    new = start(engine, "rencana_kerja")
    assert new.open_tasks[0].title == "Usulkan (baru)"
    # the old instance still runs on version 1, with its old titles
    outcome = complete(engine, people["ani"], old.open_tasks[0].id, GOOD_PROPOSAL)
    assert outcome.open_tasks[0].title == "Setujui rencana kerja"
    with engine.transaction(write=False) as tx:
        versions = [
            json.loads(tx.store.instance_events(i)[0].payload)["version"]
            for i in (old.instance_id, new.instance_id)
        ]
    assert versions == [1, 2]
