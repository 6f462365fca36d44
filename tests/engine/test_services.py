"""Service tasks run the handler the application registered, and the instance saves and loads around them."""

from __future__ import annotations

import pytest

from engine import audit, deploy, history, instances, users
from engine.bpmn.parser import ModelSource
from engine.errors import DeploymentFailed
from engine.runtime import Engine, Settings
from engine.status import InstanceStatus
from tests.support import complete, start

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:dataStore id="Arsip" name="Arsip Kepegawaian" />
  <bpmn:process id="batch" isExecutable="true">
    <bpmn:dataStoreReference id="ArsipRef" dataStoreRef="Arsip" />
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="pilih" name="Pilih pegawai" camunda:candidateGroups="admin">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="mulai_semua" name="Mulai penilaian" camunda:type="external" camunda:topic="kinerja.startAll">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:dataInputAssociation id="di"><bpmn:sourceRef>ArsipRef</bpmn:sourceRef></bpmn:dataInputAssociation>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="hitung" name="Hitung" camunda:expression="#{kalkulator.jumlah(started)}" camunda:resultVariable="total">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:userTask id="periksa" name="Periksa" camunda:candidateGroups="admin">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pilih"/>
    <bpmn:sequenceFlow id="f2" sourceRef="pilih" targetRef="mulai_semua"/>
    <bpmn:sequenceFlow id="f3" sourceRef="mulai_semua" targetRef="hitung"/>
    <bpmn:sequenceFlow id="f4" sourceRef="hitung" targetRef="periksa"/>
    <bpmn:sequenceFlow id="f5" sourceRef="periksa" targetRef="e"/>
  </bpmn:process>
  <bpmn:process id="penilaian" isExecutable="true">
    <bpmn:startEvent id="s2"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="nilai" name="Nilai" camunda:assignee="${nip}"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e2"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="nilai"/>
    <bpmn:sequenceFlow id="g2" sourceRef="nilai" targetRef="e2"/>
  </bpmn:process>
</bpmn:definitions>"""


def sources() -> list[ModelSource]:
    return [ModelSource("batch.bpmn", BPMN.encode())]


def start_all(data, ctx):
    """The kind of handler the application registers: starts one instance per employee, in the same Tx."""
    started = [
        instances.start(ctx.tx, "penilaian", ctx.actor, {"nip": nip}).instance_id for nip in data["pegawai"]
    ]
    return {"started": started, "by": (ctx.process_key, ctx.element, ctx.handler_name)}


def test_a_handler_starts_other_instances_and_its_result_flows_on(engine):
    engine.services.register("kinerja.startAll", start_all)
    engine.services.register("kalkulator.jumlah", lambda data, ctx: len(data["started"]))
    with engine.transaction() as tx:
        deploy.deploy(tx, sources(), users.SYSTEM)
    [pilih] = start(engine, "batch", {"pegawai": ["199001", "199002", "199003"]}).open_tasks
    # the instance is saved here and loaded again to complete the task; the handlers run in that step
    outcome = complete(engine, users.SYSTEM, pilih.id, {})
    [periksa] = outcome.open_tasks
    with engine.transaction(write=False) as tx:
        started, total = tx.store.instances(process_key="penilaian")
        assert total == 3 and {t.assignee for r in started for t in tx.store.active_tasks(r.id)} == {
            "199001",
            "199002",
            "199003",
        }
        assert history.current_data(tx, outcome.instance_id)["total"] == 3
        assert history.current_data(tx, outcome.instance_id)["by"] == [
            "batch",
            "mulai_semua",
            "kinerja.startAll",
        ]
    assert complete(engine, users.SYSTEM, periksa.id, {}).status == InstanceStatus.COMPLETED


def test_a_service_task_without_a_handler_is_refused_at_deploy(engine):
    engine.services.register("kinerja.startAll", start_all)
    with engine.transaction() as tx, pytest.raises(DeploymentFailed) as caught:
        deploy.deploy(tx, sources(), users.SYSTEM)
    [problem] = caught.value.problems
    assert problem.element == "hitung" and "no service handler is registered for 'kalkulator.jumlah'" in (
        problem.message
    )


def test_where_configured_an_unhandled_service_task_completes_with_no_data(database_url, clock):
    engine = Engine(database_url, clock=clock, settings=Settings(allow_unhandled_service_tasks=True))
    try:
        with engine.transaction() as tx:
            deploy.deploy(tx, sources(), users.SYSTEM)
        [pilih] = start(engine, "batch", {"pegawai": []}).open_tasks
        [periksa] = complete(engine, users.SYSTEM, pilih.id, {}).open_tasks
        assert periksa.bpmn_id == "periksa"
        with engine.transaction(write=False) as tx:
            assert history.current_data(tx, pilih.instance_id) == {"pegawai": [], "total": None}
    finally:
        engine.close()


def test_a_failing_handler_marks_the_instance_errored_at_its_task(engine):
    engine.services.register("kinerja.startAll", lambda data, ctx: 1 / 0)
    engine.services.register("kalkulator.jumlah", lambda data, ctx: 0)
    with engine.transaction() as tx:
        deploy.deploy(tx, sources(), users.SYSTEM)
    [pilih] = start(engine, "batch", {"pegawai": []}).open_tasks
    outcome = complete(engine, users.SYSTEM, pilih.id, {})
    assert outcome.status == InstanceStatus.ERRORED
    assert (
        outcome.error == "mulai_semua: service 'kinerja.startAll' failed: ZeroDivisionError: division by zero"
    )


def test_a_handler_failing_halfway_takes_back_what_it_wrote(engine):
    def start_two_then_fail(data, ctx):
        start_all({"pegawai": ["199001", "199002"]}, ctx)
        raise RuntimeError("the HR system went away")

    engine.services.register("kinerja.startAll", start_two_then_fail)
    engine.services.register("kalkulator.jumlah", lambda data, ctx: 0)
    with engine.transaction() as tx:
        deploy.deploy(tx, sources(), users.SYSTEM)
    [pilih] = start(engine, "batch", {"pegawai": []}).open_tasks
    outcome = complete(engine, users.SYSTEM, pilih.id, {})
    assert outcome.status == InstanceStatus.ERRORED and "the HR system went away" in (outcome.error or "")
    with engine.transaction(write=False) as tx:
        assert tx.store.instances(process_key="penilaian")[1] == 0  # the two starts are undone
        assert [t.status for t in tx.store.tasks_of_instance(pilih.instance_id)] == ["completed"]
        assert audit.verify(tx).ok  # no chain lost or left half-written by the rollback
