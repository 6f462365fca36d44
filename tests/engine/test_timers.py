"""Timers fire at their moment and not before, by a clock the test moves: reminders, escalations,
deadlines, date timers read in the business time zone, and timer start events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine import deploy, instances, timers, users
from engine.history import history
from engine.runtime import Engine, Settings
from engine.scheduler import RETRY_AFTER, run_due
from engine.status import AuditType, InstanceStatus, TaskStatus
from tests.support import NIP_ANI, add_people, complete, deploy_files, inbox, source, start, titles

SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def fire(engine: Engine) -> list:
    firings, failed = run_due(engine)
    assert failed == 0
    return firings


def events(engine: Engine, instance_id: int, *types: str) -> list:
    with engine.transaction(write=False) as tx:
        return [e for e in history(tx, instance_id) if not types or e.type in types]


def instance(engine: Engine, instance_id: int):
    with engine.transaction(write=False) as tx:
        return tx.store.instance(instance_id)


def test_a_reminder_at_three_days_an_overdue_notice_at_five_and_an_escalation_at_seven(engine, clock):
    deploy_files(engine, "skp_tenggat.bpmn")
    people = add_people(engine)
    with engine.transaction() as tx:
        eka = users.add_user(tx, "eka", ["atasan_penilai"], display_name="Eka")
    begun = clock.now()
    outcome = start(engine, "skp_tenggat", {"nip": NIP_ANI, "nama": "Ani"})
    [task] = outcome.open_tasks
    assert task.due_at == begun + 5 * DAY  # camunda:dueDate="P5D", shown on the task
    assert instance(engine, outcome.instance_id).next_due_at == begun + 3 * DAY

    clock.set(begun + 3 * DAY - SECOND)
    assert fire(engine) == []  # not a second early
    clock.set(begun + 3 * DAY)
    [firing] = fire(engine)
    assert firing.fired == ("pengingat",)
    assert titles(inbox(engine, people["ani"])) == ["Susun SKP"]  # a reminder leaves the task where it is
    [reminded] = events(engine, outcome.instance_id, AuditType.TASK_REMINDED)
    assert reminded.payload["task_id"] == task.id
    assert reminded.payload["event"]["bpmn_id"] == "pengingat"
    assert reminded.payload["event"]["interrupting"] is False
    assert reminded.summary == f"task {task.id} 'Susun SKP' reminded by timer pengingat"

    clock.set(begun + 5 * DAY - SECOND)
    assert fire(engine) == []
    clock.set(begun + 5 * DAY)
    [firing] = fire(engine)
    assert (firing.fired, firing.overdue) == ((), (task.id,))
    [overdue] = events(engine, outcome.instance_id, AuditType.TASK_OVERDUE)
    assert overdue.payload["task_id"] == task.id

    clock.set(begun + 7 * DAY - SECOND)
    assert fire(engine) == []  # the overdue notice is given once
    clock.set(begun + 7 * DAY)
    [firing] = fire(engine)
    assert firing.fired == ("eskalasi",)
    assert inbox(engine, people["ani"]) == []
    assert titles(inbox(engine, eka, "queue")) == ["Tindak lanjut SKP terlambat"]
    [escalated] = events(engine, outcome.instance_id, AuditType.TASK_ESCALATED)
    assert escalated.payload["task_id"] == task.id
    assert escalated.payload["event"]["bpmn_id"] == "eskalasi"
    assert escalated.payload["event"]["interrupting"] is True
    assert escalated.summary == f"task {task.id} 'Susun SKP' escalated by timer eskalasi"
    created = events(engine, outcome.instance_id, AuditType.TASK_CREATED)[-1]
    assert created.payload["escalated_from"] == [task.id]
    assert created.payload["trigger"][0]["bpmn_id"] == "eskalasi"
    fired = [e.payload["bpmn_id"] for e in events(engine, outcome.instance_id, AuditType.TIMER_FIRED)]
    assert fired == ["pengingat", "eskalasi"]  # each once
    assert instance(engine, outcome.instance_id).next_due_at is None


def test_completing_in_time_ends_the_timers(engine, clock):
    deploy_files(engine, "skp_tenggat.bpmn")
    people = add_people(engine)
    outcome = start(engine, "skp_tenggat", {"nip": NIP_ANI})
    clock.advance(DAY)
    done = complete(engine, people["ani"], outcome.open_tasks[0].id, {"rencana": "20 laporan"})
    assert done.status == InstanceStatus.COMPLETED
    assert instance(engine, outcome.instance_id).next_due_at is None
    clock.advance(30 * DAY)
    assert fire(engine) == []


DATE_TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="tunggu_tanggal" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="tanggal"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate>2027-01-05T09:00:00</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="lanjut" name="Lanjut" camunda:candidateGroups="admin" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="tanggal"/>
    <bpmn:sequenceFlow id="f2" sourceRef="tanggal" targetRef="lanjut"/>
    <bpmn:sequenceFlow id="f3" sourceRef="lanjut" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_date_timer_without_a_zone_means_nine_in_the_morning_in_jayapura(engine, clock):
    with engine.transaction() as tx:
        deploy.deploy(tx, [source("tanggal.bpmn", DATE_TIMER.encode())], users.SYSTEM)
    outcome = start(engine, "tunggu_tanggal")
    nine_wit = datetime(2027, 1, 5, 0, 0, tzinfo=UTC)  # 09:00 WIT (UTC+9), whatever zone the server has
    assert instance(engine, outcome.instance_id).next_due_at == nine_wit
    clock.set(nine_wit - SECOND)
    assert fire(engine) == []
    clock.set(nine_wit)
    [firing] = fire(engine)
    assert firing.fired == ("tanggal",)
    assert instance(engine, outcome.instance_id).next_due_at is None


def test_another_deployment_reads_the_same_date_in_its_own_zone(database_url, clock):
    jakarta = Engine(database_url, clock=clock, settings=Settings(timezone="Asia/Jakarta"))  # WIB, UTC+7
    try:
        with jakarta.transaction() as tx:
            deploy.deploy(tx, [source("tanggal.bpmn", DATE_TIMER.encode())], users.SYSTEM)
        outcome = start(jakarta, "tunggu_tanggal")
        assert instance(jakarta, outcome.instance_id).next_due_at == datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    finally:
        jakarta.close()


TIMER_START = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="laporan_harian" isExecutable="true">
    <bpmn:startEvent id="tiap_pagi"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:userTask id="lapor" name="Lapor" camunda:candidateGroups="pegawai" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tiap_pagi" targetRef="lapor"/>
    <bpmn:sequenceFlow id="f2" sourceRef="lapor" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""


def deploy_timer_start(engine: Engine, cycle: str) -> None:
    with engine.transaction() as tx:
        deploy.deploy(
            tx, [source("harian.bpmn", TIMER_START.replace("{cycle}", cycle).encode())], users.SYSTEM
        )


def live(engine: Engine) -> list:
    with engine.transaction(write=False) as tx:
        rows, _ = tx.store.instances(process_key="laporan_harian")
        return sorted((r.id, r.status) for r in rows)


def test_a_timer_start_event_begins_a_new_instance_at_each_repetition(engine, clock):
    # 08:00 WIT on 5 and 6 January: 23:00 UTC the day before
    deploy_timer_start(engine, "R2/2027-01-05T08:00:00/P1D")
    first_due = datetime(2027, 1, 4, 23, 0, tzinfo=UTC)
    [(seed, status)] = live(engine)
    assert status == InstanceStatus.SCHEDULED
    assert instance(engine, seed).next_due_at == first_due
    clock.set(first_due - SECOND)
    assert fire(engine) == []
    clock.set(first_due)
    [firing] = fire(engine)
    assert firing.fired == ("tiap_pagi",) and firing.status == InstanceStatus.RUNNING
    assert firing.successor is not None
    assert live(engine) == [(seed, InstanceStatus.RUNNING), (firing.successor, InstanceStatus.SCHEDULED)]
    assert instance(engine, firing.successor).next_due_at == first_due + DAY
    clock.set(first_due + DAY)
    [second] = fire(engine)
    assert second.instance_id == firing.successor and second.successor is None  # R2: that was the last
    assert [s for _, s in live(engine)] == [InstanceStatus.RUNNING, InstanceStatus.RUNNING]
    with engine.transaction(write=False) as tx:
        open_tasks = [(t.instance_id, t.status) for t in tx.store.active_tasks(seed)]
        open_tasks += [(t.instance_id, t.status) for t in tx.store.active_tasks(second.instance_id)]
    assert open_tasks == [(seed, TaskStatus.OPEN), (second.instance_id, TaskStatus.OPEN)]  # one report each
    clock.set(first_due + 5 * DAY)
    assert fire(engine) == []


def test_a_new_version_replaces_the_waiting_start_of_the_old(engine, clock):
    deploy_timer_start(engine, "R/2027-01-05T08:00:00/P1D")
    [(old, _)] = live(engine)
    deploy_timer_start(engine, "R/2027-01-05T10:00:00/P1D")
    rows = live(engine)
    assert rows[0] == (old, InstanceStatus.CANCELLED)
    assert rows[1][1] == InstanceStatus.SCHEDULED
    assert instance(engine, rows[1][0]).next_due_at == datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
    with engine.transaction() as tx:  # a scheduled instance can be cancelled like any other
        instances.cancel(tx, rows[1][0], users.SYSTEM, "no daily reports this year")
    clock.set(datetime(2027, 2, 1, tzinfo=UTC))
    assert fire(engine) == []


def test_every_waiting_timer_can_be_made_due_at_once(engine, clock):
    deploy_files(engine, "skp_tenggat.bpmn")
    add_people(engine)
    outcome = start(engine, "skp_tenggat", {"nip": NIP_ANI})
    with engine.transaction() as tx:
        firing = timers.fire_waiting(tx, outcome.instance_id)
    assert firing is not None and sorted(firing.fired) == ["eskalasi", "pengingat"]
    with engine.transaction(write=False) as tx:
        [task] = tx.store.active_tasks(outcome.instance_id)
    assert task.title == "Tindak lanjut SKP terlambat"


def test_a_broken_instance_is_put_back_and_does_not_hold_up_the_others(engine, clock):
    deploy_files(engine, "skp_tenggat.bpmn")
    add_people(engine)
    ids = [start(engine, "skp_tenggat", {"nip": NIP_ANI}).instance_id for _ in range(3)]
    with engine.transaction() as tx:  # a row damaged by hand: its state cannot be read
        tx.store.lean.execute("UPDATE process_instance SET state = 'damaged' WHERE id = :id", {"id": ids[1]})
    clock.advance(3 * DAY)
    firings, failed = run_due(engine)
    assert sorted(f.instance_id for f in firings) == [ids[0], ids[2]] and failed == 1
    assert instance(engine, ids[1]).next_due_at == clock.now() + RETRY_AFTER
    assert fire(engine) == []  # not retried in a tight loop
    assert [e.type for e in events(engine, ids[1])] == [AuditType.INSTANCE_STARTED, AuditType.TASK_CREATED]
