"""Messages from outside: to the one waiting instance they correlate with, to a message start event,
kept when nothing waits and handed over once something does, and delivered once per idempotency key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import deploy, messages, tasks, users
from engine.errors import BadRequest, PermissionDenied
from engine.history import history
from engine.runtime import Engine
from engine.scheduler import Scheduler, run_due
from engine.status import AuditType, InstanceStatus, MessageStatus
from tests.conftest import _truncate
from tests.support import NIP_ANI, NIP_BUDI, add_people, complete, inbox, source, start

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">'
)

# An objection waits for the decision about it (an intermediate catch event), then the employee reads it.
WAIT_FOR_DECISION = (
    HEAD
    + """
  <bpmn:message id="m_keputusan" name="KeputusanKeberatan"/>
  <bpmn:process id="tunggu_keputusan" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="keputusan"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_keputusan"/></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="baca" name="Baca keputusan keberatan" camunda:assignee="${nip}">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="keputusan"/>
    <bpmn:sequenceFlow id="f2" sourceRef="keputusan" targetRef="baca"/>
    <bpmn:sequenceFlow id="f3" sourceRef="baca" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""
)

# A unit's service waits for its survey result in a receive task (the plain BPMN message class).
WAIT_FOR_SURVEY = (
    HEAD
    + """
  <bpmn:message id="m_ikm" name="HasilIkmDipublikasikan"/>
  <bpmn:process id="tindak_lanjut_ikm" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:receiveTask id="hasil_ikm" messageRef="m_ikm"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:receiveTask>
    <bpmn:userTask id="rencana" name="Susun rencana tindak lanjut" camunda:candidateGroups="pimpinan_unit">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="hasil_ikm"/>
    <bpmn:sequenceFlow id="f2" sourceRef="hasil_ikm" targetRef="rencana"/>
    <bpmn:sequenceFlow id="f3" sourceRef="rencana" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""
)

# A new regulation starts retraining (a message start event).
NEW_POLICY = (
    HEAD
    + """
  <bpmn:message id="m_kebijakan" name="KebijakanBaruDiterbitkan"/>
  <bpmn:process id="pelatihan_ulang" isExecutable="true">
    <bpmn:startEvent id="kebijakan_baru"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_kebijakan"/></bpmn:startEvent>
    <bpmn:userTask id="pelajari" name="Pelajari kebijakan baru" camunda:candidateGroups="pegawai">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="kebijakan_baru" targetRef="pelajari"/>
    <bpmn:sequenceFlow id="f2" sourceRef="pelajari" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""
)

# A transfer interrupts drafting the SKP (an interrupting message boundary event).
TRANSFER = (
    HEAD
    + """
  <bpmn:message id="m_mutasi" name="MutasiJabatan"/>
  <bpmn:process id="susun_skp" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="susun" name="Susun SKP" camunda:assignee="${nip}"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="mutasi" attachedToRef="susun"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_mutasi"/></bpmn:boundaryEvent>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="dipindahkan"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="susun"/>
    <bpmn:sequenceFlow id="f2" sourceRef="susun" targetRef="selesai"/>
    <bpmn:sequenceFlow id="f3" sourceRef="mutasi" targetRef="dipindahkan"/>
  </bpmn:process>
</bpmn:definitions>"""
)

# Monthly survey figures arrive again and again; each one is counted (a loop back to the catch event).
COUNT_SURVEYS = (
    HEAD
    + """
  <bpmn:message id="m_survei" name="SurveiBulanan"/>
  <bpmn:process id="hitung_survei" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gabung"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="survei"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_survei"/></bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="hitung"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>jumlah = jumlah + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="gabung"/>
    <bpmn:sequenceFlow id="f2" sourceRef="gabung" targetRef="survei"/>
    <bpmn:sequenceFlow id="f3" sourceRef="survei" targetRef="hitung"/>
    <bpmn:sequenceFlow id="f4" sourceRef="hitung" targetRef="gabung"/>
  </bpmn:process>
</bpmn:definitions>"""
)


def deploy_text(engine: Engine, name: str, text: str) -> None:
    with engine.transaction() as tx:
        deploy.deploy(tx, [source(name, text.encode())], users.SYSTEM)


def send(engine: Engine, name: str, correlation=None, payload=None, **kw) -> messages.Delivery:
    with engine.transaction() as tx:
        return messages.deliver(tx, name, correlation, payload, actor=users.SYSTEM, **kw)


def events(engine: Engine, instance_id: int, *types: str) -> list:
    with engine.transaction(write=False) as tx:
        return [e for e in history(tx, instance_id) if not types or e.type in types]


def status_of(engine: Engine, instance_id: int) -> str:
    with engine.transaction(write=False) as tx:
        return tx.store.instance(instance_id).status


def test_a_message_reaches_only_the_instance_it_correlates_with(engine):
    people = add_people(engine)
    deploy_text(engine, "keputusan.bpmn", WAIT_FOR_DECISION)
    ani = start(engine, "tunggu_keputusan", {"nip": NIP_ANI, "periode": "2027"})
    budi = start(engine, "tunggu_keputusan", {"nip": NIP_BUDI, "periode": "2027"})
    assert ani.open_tasks == [] and budi.open_tasks == []
    delivery = send(
        engine, "KeputusanKeberatan", {"nip": int(NIP_ANI), "periode": "2027"}, {"keputusan": "DITERIMA"}
    )
    assert (delivery.status, delivery.instance_ids) == (MessageStatus.DELIVERED, (ani.instance_id,))
    [task] = inbox(engine, people["ani"])  # a NIP given as a number still finds its instance
    assert task.title == "Baca keputusan keberatan"
    assert inbox(engine, people["budi"]) == []
    [received] = events(engine, ani.instance_id, AuditType.MESSAGE_RECEIVED)
    assert received.payload["payload"] == {"keputusan": "DITERIMA"}
    assert received.payload["caught_by"] == ["keputusan"]
    done = complete(engine, people["ani"], task.id, {})
    assert done.status == InstanceStatus.COMPLETED
    final = events(engine, ani.instance_id, AuditType.INSTANCE_COMPLETED)[0].payload["data"]
    assert final["keputusan"] == "DITERIMA"  # the payload's keys became process variables


def test_a_message_nothing_waits_for_is_kept_and_handed_over_when_something_does(engine):
    deploy_text(engine, "ikm.bpmn", WAIT_FOR_SURVEY)
    delivery = send(engine, "HasilIkmDipublikasikan", {"unit": "PKM-WANGGAR"}, {"ikm": 78.4})
    assert delivery.status == MessageStatus.PENDING and delivery.instance_ids == ()
    with engine.transaction(write=False) as tx:
        [kept] = messages.kept(tx)
    assert (kept["id"], kept["correlation"]) == (delivery.message_id, {"unit": "PKM-WANGGAR"})
    other = start(engine, "tindak_lanjut_ikm", {"unit": "PKM-SANOBA"})
    assert other.open_tasks == []  # another unit: still waiting, the message still kept
    mine = start(engine, "tindak_lanjut_ikm", {"unit": "PKM-WANGGAR"})
    assert [t.title for t in mine.open_tasks] == ["Susun rencana tindak lanjut"]
    [received] = events(engine, mine.instance_id, AuditType.MESSAGE_RECEIVED)
    assert received.payload["message_id"] == delivery.message_id
    with engine.transaction(write=False) as tx:
        assert messages.kept(tx) == []
        [shown] = messages.recent(tx)
    assert (shown["status"], shown["delivered_to"]) == (MessageStatus.DELIVERED, [mine.instance_id])
    assert events(engine, other.instance_id, AuditType.MESSAGE_RECEIVED) == []


def test_a_message_start_event_begins_an_instance_with_the_message(engine):
    deploy_text(engine, "kebijakan.bpmn", NEW_POLICY)
    delivery = send(
        engine,
        "KebijakanBaruDiterbitkan",
        {"business_key": "PERBUP-12-2027", "unit": "BKPSDM"},
        {"judul": "Perbup 12/2027"},
    )
    [instance_id] = delivery.started
    assert delivery.instance_ids == ()
    with engine.transaction(write=False) as tx:
        row = tx.store.instance(instance_id)
        [task] = tx.store.active_tasks(instance_id)
    assert (row.business_key, row.subject_unit, row.status) == (
        "PERBUP-12-2027",
        "BKPSDM",
        InstanceStatus.RUNNING,
    )
    assert task.title == "Pelajari kebijakan baru"
    started, received = events(engine, instance_id, AuditType.INSTANCE_STARTED, AuditType.MESSAGE_RECEIVED)
    assert started.payload["data"] == {"unit": "BKPSDM"}
    assert received.payload["payload"] == {"judul": "Perbup 12/2027"}


def test_the_same_idempotency_key_delivers_once(engine):
    deploy_text(engine, "survei.bpmn", COUNT_SURVEYS)
    counting = start(engine, "hitung_survei", {"jumlah": 0})
    first = send(engine, "SurveiBulanan", {}, {"bulan": 1}, idempotency_key="survei-2027-01")
    again = send(engine, "SurveiBulanan", {}, {"bulan": 1}, idempotency_key="survei-2027-01")
    assert first.instance_ids == (counting.instance_id,) and not first.duplicate
    assert again.duplicate and again.message_id == first.message_id
    assert len(events(engine, counting.instance_id, AuditType.MESSAGE_RECEIVED)) == 1
    send(engine, "SurveiBulanan", {}, {"bulan": 2}, idempotency_key="survei-2027-02")
    received = events(engine, counting.instance_id, AuditType.MESSAGE_RECEIVED)
    assert [e.payload["payload"]["bulan"] for e in received] == [
        1,
        2,
    ]  # waiting again after each, never twice
    with engine.transaction(write=False) as tx:
        assert messages.kept(tx) == []


def test_an_interrupting_message_withdraws_the_task_and_says_which_message(engine):
    people = add_people(engine)
    deploy_text(engine, "mutasi.bpmn", TRANSFER)
    drafting = start(engine, "susun_skp", {"nip": NIP_ANI})
    [task] = drafting.open_tasks
    delivery = send(engine, "MutasiJabatan", {"nip": NIP_ANI}, {"jabatan_baru": "Analis Kebijakan"})
    assert delivery.instance_ids == (drafting.instance_id,)
    assert inbox(engine, people["ani"]) == []
    assert status_of(engine, drafting.instance_id) == InstanceStatus.COMPLETED
    [withdrawn] = events(engine, drafting.instance_id, AuditType.TASK_CANCELLED)
    assert withdrawn.payload["task_id"] == task.id
    assert withdrawn.payload["reason"] == "interrupted by message MutasiJabatan"
    assert withdrawn.payload["event"]["bpmn_id"] == "mutasi"


def test_a_payload_can_land_in_one_variable(engine):
    people = add_people(engine)
    with engine.transaction() as tx:
        fajar = users.add_user(tx, "fajar", ["pimpinan_unit"])
    deploy_text(engine, "keputusan.bpmn", WAIT_FOR_DECISION)
    deploy_text(engine, "ikm.bpmn", WAIT_FOR_SURVEY)
    decision = start(engine, "tunggu_keputusan", {"nip": NIP_ANI})
    survey = start(engine, "tindak_lanjut_ikm", {"unit": "X"})
    send(engine, "KeputusanKeberatan", {"nip": NIP_ANI}, "DITOLAK", result_var="hasil")
    send(engine, "HasilIkmDipublikasikan", {"unit": "X"}, [78.4, "B"], result_var="ikm")
    with engine.transaction(write=False) as tx:
        [t1] = tx.store.active_tasks(decision.instance_id)
        [t2] = tx.store.active_tasks(survey.instance_id)
    with engine.transaction(write=False) as tx:
        assert (
            tasks.show(tx, t1.id, people["ani"]).data["hasil"] == "DITOLAK"
        )  # a catch event (Camunda class)
        assert tasks.show(tx, t2.id, fajar).data["ikm"] == [78.4, "B"]  # a receive task (BPMN class)


@pytest.mark.parametrize(
    ("name", "correlation", "payload", "kw", "words"),
    [
        ("", {}, {}, {}, "message name"),
        ("X", ["nip"], {}, {}, "correlation must be a JSON object"),
        ("X", {"nip": {"a": 1}}, {}, {}, "correlation must be a JSON object"),
        ("X", {}, "text", {}, "payload must be a JSON object"),
        ("X", {}, {}, {"result_var": "not a name"}, "not a valid variable name"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_kept(engine, name, correlation, payload, kw, words):
    with pytest.raises(BadRequest, match=words):
        send(engine, name, correlation, payload, **kw)
    with engine.transaction(write=False) as tx:
        assert messages.recent(tx) == []


def test_only_administrators_send_messages(engine):
    people = add_people(engine)
    with engine.transaction() as tx, pytest.raises(PermissionDenied):
        messages.deliver(tx, "X", {}, {}, actor=people["ani"])


# An objection window: either the employee objects within 14 days, or the rating becomes final.
OBJECTION_WINDOW = (
    HEAD
    + """
  <bpmn:message id="m_keberatan" name="KeberatanDiajukan"/>
  <bpmn:process id="masa_keberatan" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="tunggu"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="keberatan"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m_keberatan"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="empat_belas_hari"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="diproses"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="final"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="tunggu"/>
    <bpmn:sequenceFlow id="f2" sourceRef="tunggu" targetRef="keberatan"/>
    <bpmn:sequenceFlow id="f3" sourceRef="tunggu" targetRef="empat_belas_hari"/>
    <bpmn:sequenceFlow id="f4" sourceRef="keberatan" targetRef="diproses"/>
    <bpmn:sequenceFlow id="f5" sourceRef="empat_belas_hari" targetRef="final"/>
  </bpmn:process>
</bpmn:definitions>"""
)


def test_an_event_based_gateway_takes_the_message_or_the_timer_whichever_comes_first(engine, clock):
    deploy_text(engine, "keberatan.bpmn", OBJECTION_WINDOW)
    objects = start(engine, "masa_keberatan", {"nip": NIP_ANI})
    accepts = start(engine, "masa_keberatan", {"nip": NIP_BUDI})
    clock.advance(timedelta(days=13))
    delivery = send(engine, "KeberatanDiajukan", {"nip": NIP_ANI}, {"alasan": "nilai perilaku"})
    assert delivery.instance_ids == (objects.instance_id,)
    clock.advance(timedelta(days=1))
    firings, _ = run_due(engine)
    assert [(f.instance_id, f.fired) for f in firings] == [(accepts.instance_id, ("empat_belas_hari",))]
    with engine.transaction(write=False) as tx:
        ended = {i: tx.store.instance(i).status for i in (objects.instance_id, accepts.instance_id)}
    assert set(ended.values()) == {InstanceStatus.COMPLETED}
    completed = events(engine, objects.instance_id, AuditType.INSTANCE_COMPLETED)[0].payload["data"]
    assert completed["alasan"] == "nilai perilaku"
    assert events(engine, accepts.instance_id, AuditType.MESSAGE_RECEIVED) == []
    late = send(engine, "KeberatanDiajukan", {"nip": NIP_BUDI}, {"alasan": "terlambat"})
    assert late.status == MessageStatus.PENDING  # too late: nothing waits for it any more


@pytest.mark.postgres
def test_a_message_and_the_wait_for_it_arriving_together_still_meet(request, clock):
    # Two transactions at once: the message finds no waiting instance (the wait is not committed
    # yet), and the instance finds no kept message (the message is not committed yet either).
    url = request.getfixturevalue("postgres_url")
    _truncate(url)
    engine = Engine(url, clock=clock)
    try:
        deploy_text(engine, "ikm.bpmn", WAIT_FOR_SURVEY)
        sending = engine.begin()
        try:
            delivery = messages.deliver(
                sending, "HasilIkmDipublikasikan", {"unit": "X"}, {"ikm": 81}, actor=users.SYSTEM
            )
            assert delivery.status == MessageStatus.PENDING
            waiting = start(engine, "tindak_lanjut_ikm", {"unit": "X"})  # commits while the message is open
            sending.commit()
        finally:
            sending.close()
        assert waiting.open_tasks == []
        assert Scheduler(engine, send_mail=False).run_once().fired == 0
        [received] = events(engine, waiting.instance_id, AuditType.MESSAGE_RECEIVED)
        assert received.payload["message_id"] == delivery.message_id
        with engine.transaction(write=False) as tx:
            assert messages.kept(tx) == []
            [task] = tx.store.active_tasks(waiting.instance_id)
        assert task.title == "Susun rencana tindak lanjut"
    finally:
        engine.close()


# The unit head may withdraw a draft while it is being written (a signal the process throws itself).
WITHDRAW_BY_SIGNAL = (
    HEAD
    + """
  <bpmn:signal id="s_tarik" name="TarikDraf"/>
  <bpmn:process id="draf_ditarik" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="bagi"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="susun" name="Susun draf" camunda:assignee="${nip}"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="ditarik" attachedToRef="susun"><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:signalEventDefinition signalRef="s_tarik"/></bpmn:boundaryEvent>
    <bpmn:userTask id="tarik" name="Tarik draf" camunda:candidateGroups="pimpinan_unit"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateThrowEvent id="kirim_tarik"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing>
      <bpmn:signalEventDefinition signalRef="s_tarik"/></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e1"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e3"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="bagi"/>
    <bpmn:sequenceFlow id="f2" sourceRef="bagi" targetRef="susun"/>
    <bpmn:sequenceFlow id="f3" sourceRef="bagi" targetRef="tarik"/>
    <bpmn:sequenceFlow id="f4" sourceRef="susun" targetRef="e1"/>
    <bpmn:sequenceFlow id="f5" sourceRef="ditarik" targetRef="e2"/>
    <bpmn:sequenceFlow id="f6" sourceRef="tarik" targetRef="kirim_tarik"/>
    <bpmn:sequenceFlow id="f7" sourceRef="kirim_tarik" targetRef="e3"/>
  </bpmn:process>
</bpmn:definitions>"""
)


def test_a_task_the_process_interrupts_itself_names_the_boundary_event(engine):
    people = add_people(engine)
    with engine.transaction() as tx:
        head = users.add_user(tx, "gita", ["pimpinan_unit"])
    deploy_text(engine, "ditarik.bpmn", WITHDRAW_BY_SIGNAL)
    outcome = start(engine, "draf_ditarik", {"nip": NIP_ANI})
    draft = next(t for t in outcome.open_tasks if t.title == "Susun draf")
    withdraw = next(t for t in outcome.open_tasks if t.title == "Tarik draf")
    assert complete(engine, head, withdraw.id, {}).status == InstanceStatus.COMPLETED
    assert inbox(engine, people["ani"]) == []
    [withdrawn] = events(engine, outcome.instance_id, AuditType.TASK_CANCELLED)
    assert withdrawn.payload["task_id"] == draft.id
    assert withdrawn.payload["reason"] == "interrupted by signal event ditarik"
    assert withdrawn.payload["event"]["attached_to"] == "susun"
