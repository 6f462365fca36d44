"""Throwing a BPMN error or escalation at a waiting task, as Camunda's handleBpmnError does."""

from __future__ import annotations

import pytest

from engine import deploy, history, throwing, users
from engine.bpmn.parser import ModelSource
from engine.errors import Conflict
from engine.status import AuditType, InstanceStatus, TaskStatus
from tests.support import complete, start

PAYMENT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:error id="Err" name="Tanpa nominal" errorCode="no_amount" />
  <bpmn:escalation id="Esc" name="Ke atasan" escalationCode="supervisor" />
  <bpmn:process id="bayar" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="bayar_tagihan" name="Bayar tagihan" camunda:candidateGroups="admin"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="salah" attachedToRef="bayar_tagihan"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:errorEventDefinition errorRef="Err" /></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="naik" attachedToRef="bayar_tagihan"><bpmn:outgoing>f4</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc" /></bpmn:boundaryEvent>
    <bpmn:userTask id="arsipkan" name="Arsipkan" camunda:candidateGroups="admin"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="lapor_atasan" name="Lapor atasan" camunda:candidateGroups="admin"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="lunas"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="diarsip"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="dilapor"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="bayar_tagihan"/>
    <bpmn:sequenceFlow id="f2" sourceRef="bayar_tagihan" targetRef="lunas"/>
    <bpmn:sequenceFlow id="f3" sourceRef="salah" targetRef="arsipkan"/>
    <bpmn:sequenceFlow id="f4" sourceRef="naik" targetRef="lapor_atasan"/>
    <bpmn:sequenceFlow id="f5" sourceRef="arsipkan" targetRef="diarsip"/>
    <bpmn:sequenceFlow id="f6" sourceRef="lapor_atasan" targetRef="dilapor"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def paying(engine):
    with engine.transaction() as tx:
        deploy.deploy(tx, [ModelSource("bayar.bpmn", PAYMENT.encode())], users.SYSTEM)
    return start(engine, "bayar").open_tasks[0]


@pytest.mark.parametrize(
    "throw,code,follow_up",
    [
        (throwing.throw_error, "no_amount", "arsipkan"),
        (throwing.throw_escalation, "supervisor", "lapor_atasan"),
    ],
)
def test_a_thrown_code_cancels_the_task_and_opens_the_path_that_catches_it(
    engine, paying, throw, code, follow_up
):
    with engine.transaction() as tx:
        outcome = throw(tx, paying.id, code, users.SYSTEM, {"alasan": "nominal kosong"})
    [opened] = outcome.open_tasks
    assert opened.bpmn_id == follow_up
    with engine.transaction(write=False) as tx:
        assert tx.store.task(paying.id).status == TaskStatus.CANCELLED
        events = history.history(tx, paying.instance_id)
        thrown = next(e for e in events if e.type == AuditType.EVENT_THROWN)
        assert thrown.payload["code"] == code and thrown.payload["caught_by"] in ("salah", "naik")
        assert history.current_data(tx, paying.instance_id)["alasan"] == "nominal kosong"
    assert complete(engine, users.SYSTEM, opened.id, {}).status == InstanceStatus.COMPLETED


def test_a_code_nothing_catches_is_refused_and_changes_nothing(engine, paying):
    with engine.transaction() as tx, pytest.raises(Conflict, match="no boundary event catches error 'other'"):
        throwing.throw_error(tx, paying.id, "other", users.SYSTEM)
    with engine.transaction(write=False) as tx:
        assert tx.store.task(paying.id).status == TaskStatus.OPEN
