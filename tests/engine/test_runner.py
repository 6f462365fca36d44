"""The runner's guarantees: restricted scripts even after a load, loops that do not stall, errors kept."""

from __future__ import annotations

import pytest

from engine import deploy, users
from engine.bpmn.parser import ModelSource, compile_bundle
from engine.bpmn.runner import Execution
from engine.errors import ProcessFailed
from engine.history import history
from engine.status import AuditType, InstanceStatus
from tests.support import complete, start

SCRIPTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="tunggu" name="Tunggu" camunda:candidateGroups="admin"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="hitung" name="Hitung"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="lagi" default="f5"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tunggu"/>
    <bpmn:sequenceFlow id="f2" sourceRef="tunggu" targetRef="hitung"/>
    <bpmn:sequenceFlow id="f3" sourceRef="hitung" targetRef="lagi"/>
    <bpmn:sequenceFlow id="f4" sourceRef="lagi" targetRef="tunggu">
      <bpmn:conditionExpression>n &lt; target</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="lagi" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def model(script: str):
    return compile_bundle([ModelSource("scripted.bpmn", SCRIPTED.replace("{script}", script).encode())])[
        "scripted"
    ]


def test_a_loaded_instance_still_runs_scripts_restricted():
    # the escape is valid Python that RestrictedPython compiles but its guards refuse at run time
    scripted = model("n = n + 1\nleak = getattr(n, '__class__', None)")
    execution = Execution.start(scripted, {"n": 0, "target": 5})
    restored = Execution.load(scripted, execution.dump())  # a fresh load gets the restricted engine again
    [task] = restored.ready_tasks()
    with pytest.raises(ProcessFailed, match="NameError"):  # getattr is not among the safe builtins
        restored.complete(task.spiff_id, {})


def test_a_loop_taken_hundreds_of_times_keeps_running():
    # SpiffWorkflow's tree iterator stops at depth 1000 (about 250 trips of this loop) and the stock
    # engine then silently stalls; the runner walks the flat task lists instead.
    looped = model("n = n + 1")
    execution = Execution.start(looped, {"n": 0, "target": 300})
    for trip in range(300):
        [task] = execution.ready_tasks()
        execution.complete(task.spiff_id, {})
        if trip % 50 == 0:
            execution = Execution.load(looped, execution.dump())
    assert execution.completed
    assert execution.data["n"] == 300


def test_a_failing_script_marks_the_instance_errored_and_keeps_the_work(engine):
    with engine.transaction() as tx:
        deploy.deploy(
            tx, [ModelSource("s.bpmn", SCRIPTED.replace("{script}", "n = n / 0").encode())], users.SYSTEM
        )
    outcome = start(engine, "scripted", {"n": 1, "target": 3})
    [task] = outcome.open_tasks
    done = complete(engine, users.SYSTEM, task.id, {})
    assert done.status == InstanceStatus.ERRORED
    assert "ZeroDivisionError" in done.error and "hitung" in done.error
    with engine.transaction(write=False) as tx:
        events = history(tx, outcome.instance_id)
    assert [e.type for e in events][-2:] == [AuditType.TASK_COMPLETED, AuditType.INSTANCE_ERRORED]
    assert events[-1].payload["element"] == "hitung"
