"""Moving running instances onto a new version: a compatible change (a renamed task, moved on the
canvas, with a new form field) moves every instance; an incompatible one (the active task removed)
is refused for the instances waiting there, with the reason, and leaves them exactly as they were."""

from __future__ import annotations

import re

import pytest

from engine import migration, modeling, tasks, users
from engine.errors import MigrationRefused, PermissionDenied
from engine.history import history
from engine.status import AuditType, InstanceStatus
from tests.support import FIXTURES, GOOD_PROPOSAL, add_people, claim, complete, deploy_files, inbox, start

KEY, FILE = "rencana_kerja", "two_lane_approval.bpmn"
V1 = (FIXTURES / FILE).read_text()
FIELD = '<camunda:formField id="alasan" label="Alasan" type="string" />'
# v2: the proposal renamed and moved on the canvas, with one more form field
V2 = (
    V1.replace('name="Usulkan rencana kerja"', 'name="Usulkan rencana kerja tahunan"')
    .replace('x="290" y="95"', 'x="300" y="100"')
    .replace("<camunda:formData>", f"<camunda:formData>{FIELD}", 1)
)
# v3: the penilai's approval removed: the proposal goes straight to the gateway
V3 = (
    V2.replace('targetRef="setujui_rencana"', 'targetRef="gw_disetujui"')
    .replace("<bpmn:flowNodeRef>setujui_rencana</bpmn:flowNodeRef>", "")
    .replace(
        '<bpmn:sequenceFlow id="f_keputusan" sourceRef="setujui_rencana" targetRef="gw_disetujui" />', ""
    )
    .replace("<bpmn:incoming>f_keputusan</bpmn:incoming>", "")
    .replace("${disetujui}", "${jumlah > 0}")
)
V3 = V3[: V3.index('<bpmn:userTask id="setujui_rencana"')] + V3[V3.index("<bpmn:exclusiveGateway") :]
V3 = re.sub(r'<bpmndi:BPMNShape id="setujui_rencana_di".*?</bpmndi:BPMNShape>', "", V3, flags=re.S)
V3 = re.sub(r'<bpmndi:BPMNEdge id="f_keputusan_di".*?</bpmndi:BPMNEdge>', "", V3, flags=re.S)


@pytest.fixture
def owner(engine):
    with engine.transaction() as tx:
        return users.add_user(tx, "pemilik", ["pemilik_proses"], display_name="Pemilik Proses")


def deploy_version(engine, owner, content, note):
    with engine.transaction() as tx:
        return modeling.deploy_edit(tx, owner, KEY, 1, FILE, content, note)


def snapshot(engine, instance_id):
    with engine.transaction(write=False) as tx:
        row = tx.store.lean.instance(instance_id)
        rows = [(t.id, t.title, t.status, t.assignee) for t in tx.store.lean.active_tasks(instance_id)]
        return row, rows


def test_compatible_change_moves_every_instance(engine, owner):
    deploy_files(engine, FILE)
    people = add_people(engine)
    ani, budi = people["ani"], people["budi"]
    waiting = start(engine, KEY, {"nama": "Ani"}).instance_id  # at the proposal
    [proposal] = inbox(engine, ani, "queue")
    claim(engine, ani, proposal.id)
    ahead = start(engine, KEY, {"nama": "Budi"}).instance_id
    second = next(t for t in inbox(engine, ani, "queue"))
    complete(engine, ani, second.id, GOOD_PROPOSAL)  # now at the penilai's approval
    deploy_version(engine, owner, V2, "usulan berganti nama, kolom alasan")

    with engine.transaction(write=False) as tx:
        plan = migration.plan(tx, owner, KEY, 2)
    assert [(p.instance_id, p.from_version, p.ok, p.reason) for p in plan] == [
        (waiting, 1, True, None),
        (ahead, 1, True, None),
    ]
    assert snapshot(engine, waiting)[0].definition_id != 3  # the dry run changed nothing

    moved = migration.migrate_each(engine, owner, KEY, 2)
    assert [(m.instance_id, m.ok, m.to_version) for m in moved] == [(waiting, True, 2), (ahead, True, 2)]
    # the claimed proposal keeps its id and its holder, with the new title and the new form
    [mine] = inbox(engine, ani)
    assert (mine.id, mine.title) == (proposal.id, "Usulkan rencana kerja tahunan")
    with engine.transaction(write=False) as tx:
        assert "alasan" in [f.id for f in tasks.show(tx, mine.id, ani).form]
    with engine.transaction(write=False) as tx:
        migrated = next(e for e in history(tx, waiting) if e.type == AuditType.INSTANCE_MIGRATED)
    assert migrated.actor == "pemilik"
    assert (migrated.payload["from_version"], migrated.payload["to_version"]) == (1, 2)
    # the instance ahead runs on to its end on the new version
    [review] = inbox(engine, budi, "queue")
    assert complete(engine, budi, review.id, {"disetujui": True}).status == InstanceStatus.COMPLETED


def test_removed_active_task_is_refused_and_left_as_it_was(engine, owner):
    deploy_files(engine, FILE)
    ani = add_people(engine)["ani"]
    waiting = start(engine, KEY, {"nama": "Ani"}).instance_id
    ahead = start(engine, KEY, {"nama": "Budi"}).instance_id
    [first, second] = sorted(inbox(engine, ani, "queue"), key=lambda t: t.instance_id)
    complete(engine, ani, second.id, GOOD_PROPOSAL)  # 'ahead' waits at setujui_rencana
    deploy_version(engine, owner, V3, "persetujuan penilai dihapus")
    before = snapshot(engine, ahead)

    with engine.transaction(write=False) as tx:
        plan = {p.instance_id: p for p in migration.plan(tx, owner, KEY, 2)}
    reason = "active task setujui_rencana (Setujui rencana kerja) does not exist in version 2"
    assert (plan[ahead].ok, plan[ahead].reason) == (False, reason)
    assert plan[waiting].ok

    with engine.transaction() as tx, pytest.raises(MigrationRefused, match=re.escape(reason)):
        migration.migrate(tx, owner, ahead, 2)
    moved = {m.instance_id: m for m in migration.migrate_each(engine, owner, KEY, 2)}
    assert moved[waiting].ok and not moved[ahead].ok
    assert reason in (moved[ahead].reason or "")
    assert snapshot(engine, ahead) == before  # state, row version, audit head and tasks untouched
    # the instance that moved now ends right after the proposal, as version 2 says
    assert complete(engine, ani, first.id, GOOD_PROPOSAL).status == InstanceStatus.COMPLETED


@pytest.mark.parametrize(
    "roles", [*[{r} for r in users.ROLES if r != "pemilik_proses"], {"auditor", "pemilik_proses"}]
)
def test_only_the_process_owner_migrates(engine, roles):
    deploy_files(engine, FILE)
    someone = users.Actor("someone", frozenset(roles))
    with engine.transaction() as tx, pytest.raises(PermissionDenied):
        migration.plan(tx, someone, KEY, 1)
    with engine.transaction() as tx, pytest.raises(PermissionDenied):
        modeling.deploy_edit(tx, someone, KEY, 1, FILE, V2, None)
