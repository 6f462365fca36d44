"""Process scripts cannot escape: refused when deployed, or stopped when run, with a clear error.

Every run-time attempt goes through a real instance that was saved and loaded first, so the restricted
engine is proven to be set again after a load (SpiffWorkflow's loader gives back the unrestricted one).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine import deploy, users
from engine.bpmn.parser import ModelSource, compile_bundle
from engine.bpmn.runner import Execution
from engine.bpmn.scripting import Limits, using_limits
from engine.errors import DeploymentFailed, ProcessFailed
from engine.runtime import Engine, Settings
from engine.status import InstanceStatus
from tests.support import complete, start

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="sandbox" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="isi" name="Isi" camunda:candidateGroups="admin"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="escape" name="Escape"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script><![CDATA[{script}]]></bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="isi"/>
    <bpmn:sequenceFlow id="f2" sourceRef="isi" targetRef="escape"/>
    <bpmn:sequenceFlow id="f3" sourceRef="escape" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def bundle(script: str) -> list[ModelSource]:
    return [ModelSource("sandbox.bpmn", MODEL.replace("{script}", script).encode())]


REFUSED_AT_DEPLOY = {
    "import": "import os",
    "from-import": "from os import path",
    "dunder-import": "x = __import__('os')",
    "subclasses": "x = ().__class__.__base__.__subclasses__()",
    "function-globals": "def f():\n    return 1\nx = f.__globals__",
    "builtins": "x = __builtins__",
    "generator-frame": "x = (i for i in [1]).gi_frame",
    "eval": "x = eval('1')",
    "exec": "exec('x = 1')",
    "bare-except": "try:\n    x = 1\nexcept:\n    x = 2",
    "fstring-width": "x = f'{1:>999999999}'",
    "helper-private": "x = dateTime()._moment",
    "traceback-frame": "try:\n    x = 1 / 0\nexcept ZeroDivisionError as exc:\n    x = exc.__traceback__",
    "type-mro": "x = datetime.mro()[-1].__subclasses__()",
    "class": "class A:\n    pass",
}


@pytest.mark.parametrize("script", REFUSED_AT_DEPLOY.values(), ids=REFUSED_AT_DEPLOY.keys())
def test_an_escape_is_refused_when_deployed(script):
    with pytest.raises(DeploymentFailed) as caught:
        compile_bundle(bundle(script))
    [problem] = caught.value.problems
    assert problem.element == "escape" and problem.message.startswith("script refused")


FAILS_AT_RUN = {
    "open": ("x = open({marker!r}, 'w')", "NameError"),
    "getattr": ("x = getattr(1, '__class__')", "NameError"),
    "type-of": ("x = type(1)", "NameError"),
    "type-construct": ("x = type('A', (), {{}})", "NameError"),
    "globals": ("x = globals()", "NameError"),
    "vars": ("x = vars()", "NameError"),
    "sys": ("x = sys.modules", "NameError"),
    "compile": ("x = compile('1', 'f', 'eval')", "NameError"),
    "str-format": ("x = '{{0.__class__}}'.format(1)", "not safe"),
    "str-format-map": ("x = '{{0:>999999999}}'.format_map({{}})", "not safe"),
    "helper-getattr": ("x = el_get(math, '__dict__')", "_"),
    "math-factorial": ("x = math.factorial(10 ** 6)", "factorial"),
    "huge-string": ("x = 'x' * 10 ** 10", "more than 10000000 items"),
    "huge-list": ("x = [0] * 10 ** 10", "more than 10000000 items"),
    "huge-power": ("x = 2 ** 10 ** 10", "bits"),
    "huge-shift": ("x = 1 << 10 ** 10", "bits"),
    "huge-range": ("x = list(range(10 ** 10))", "range()"),
    "huge-percent-width": ("x = '%999999999d' % 1", "widths"),
    "huge-padding": ("x = 'a'.ljust(10 ** 10)", "ljust()"),
}


@pytest.mark.parametrize("script,error", FAILS_AT_RUN.values(), ids=FAILS_AT_RUN.keys())
def test_an_escape_fails_at_run_time_after_a_load_and_leaves_nothing(tmp_path: Path, script, error):
    marker = tmp_path / "escaped"
    model = compile_bundle(bundle(script.format(marker=str(marker))))["sandbox"]
    execution = Execution.load(model, Execution.start(model, {"n": 1}).dump())
    [task] = execution.ready_tasks()
    with pytest.raises(ProcessFailed) as caught:
        execution.complete(task.spiff_id, {})
    assert caught.value.element == "escape" and error in caught.value.message
    assert "x" not in execution.task_data(task.spiff_id) and not marker.exists()


def run_limited(script: str, limits: Limits) -> tuple[ProcessFailed, float]:
    model = compile_bundle(bundle(script))["sandbox"]
    execution = Execution.load(model, Execution.start(model, {}).dump())
    [task] = execution.ready_tasks()
    began = time.monotonic()
    with using_limits(limits), pytest.raises(ProcessFailed) as caught:
        execution.complete(task.spiff_id, {})
    return caught.value, time.monotonic() - began


def test_a_loop_that_catches_the_interruption_is_still_stopped():
    stubborn = (
        "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass"
    )
    failure, took = run_limited(stubborn, Limits(seconds=0.3))
    assert failure.element == "escape" and "longer than 0.3 s" in failure.message
    assert took < 3


def test_a_script_that_grows_without_end_is_stopped_by_the_memory_guard():
    hoard = "x = []\nwhile True:\n    x.append('y' * 10000)"
    failure, _ = run_limited(hoard, Limits(seconds=60, memory_mb=64))
    assert failure.element == "escape" and "more than 64 MB" in failure.message


def test_the_limits_are_deployment_settings():
    settings = Settings.from_env({"KINERJA_SCRIPT_SECONDS": "2.5", "KINERJA_SCRIPT_MEMORY_MB": "64"})
    assert (settings.script_seconds, settings.script_memory_mb) == (2.5, 64)
    assert (Settings.from_env({}).script_seconds, Settings.from_env({}).script_memory_mb) == (5.0, 256)


def test_an_endless_loop_marks_the_instance_errored_and_the_engine_keeps_serving(database_url, clock):
    engine = Engine(database_url, clock=clock, settings=Settings(script_seconds=0.5))
    try:
        with engine.transaction() as tx:
            deploy.deploy(tx, bundle("while True:\n    pass"), users.SYSTEM)
        began = time.monotonic()
        [task] = start(engine, "sandbox").open_tasks
        done = complete(engine, users.SYSTEM, task.id, {})
        assert time.monotonic() - began < 5
        assert done.status == InstanceStatus.ERRORED
        assert done.error == "escape: stopped: the step ran longer than 0.5 s"
        # the engine goes on serving: another instance starts and waits for its person
        assert start(engine, "sandbox").status == InstanceStatus.RUNNING
    finally:
        engine.close()
