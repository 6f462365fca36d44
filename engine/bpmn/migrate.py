"""Moving a running instance onto another version of its process, with SpiffWorkflow's own diff.

``SpecDiff`` aligns the old version's task specs with the new one's (by id first, then by position
in the flow), ``migrate_workflow`` points every task at its aligned spec and re-predicts from the
tasks that wait (READY and WAITING keep their ids, so the inbox keeps its tasks). Verified on 3.2:
a task whose spec has no counterpart keeps the old spec object, and a saved state naming a spec the
new version lacks loads with ``task_spec = None``; so every task is checked before anything is
returned, and the result is saved and loaded again on the new version as the last check.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parser import CompiledModel
from engine.bpmn.runner import Execution
from engine.bpmn.state import SERIALIZER

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass(frozen=True)
class Refusal:
    """Why an instance cannot move to the target version."""

    reason: str
    element: str | None = None


def _label(spec: Any) -> str:
    bpmn_id = spec.bpmn_id or spec.name
    return f"{bpmn_id} ({spec.bpmn_name})" if spec.bpmn_name else str(bpmn_id)


def _removed(diff: Any, version: int) -> Refusal | None:
    """The first task (active first, then completed) whose element the target version lacks."""
    for task in sorted(diff.removed, key=lambda t: not t.has_state(_ACTIVE)):
        if task.has_state(_ACTIVE):
            reason = f"active task {_label(task.task_spec)} does not exist in version {version}"
        elif task.has_state(TaskState.COMPLETED):
            reason = f"completed task {_label(task.task_spec)} does not exist in version {version}"
        else:
            continue  # predicted or cancelled: re-predicted on the new version, or history
        return Refusal(reason, task.task_spec.bpmn_id)
    return None


def _stray(workflows: list[Any], version: int) -> Refusal | None:
    """A task left pointing at a spec of the old version (the library leaves those it cannot align)."""
    for workflow in workflows:
        own = {id(spec) for spec in workflow.spec.task_specs.values()}
        for task in workflow.tasks.values():
            if id(task.task_spec) not in own:
                return Refusal(
                    f"task {_label(task.task_spec)} cannot be placed in version {version}",
                    task.task_spec.bpmn_id,
                )
    return None


def move(execution: Execution, target: CompiledModel, version: int) -> Execution | Refusal:
    """A copy of the instance running on ``target``, or why it cannot move; the original is untouched."""
    workflow = Execution.load(execution.model, execution.dump())._wf
    try:
        top, subs = diff_workflow(SERIALIZER.registry, workflow, target.spec, target.subprocess_specs)
    except (KeyError, AttributeError, ValueError) as exc:
        return Refusal(f"the versions cannot be compared: {type(exc).__name__}: {exc}")
    pairs = [(workflow, top)] + [(sub, subs.get(sp_id)) for sp_id, sub in workflow.subprocesses.items()]
    for sub, diff in pairs:
        if diff is None:
            return Refusal(f"the running subprocess {sub.spec.name} does not exist in version {version}")
        refusal = _removed(diff, version)
        if refusal is not None:
            return refusal
    timers = {t.id: deepcopy(t.internal_data) for t in workflow.tasks.values() if _waits(t)}
    try:
        migrate_workflow(top, workflow, target.spec)
        for sp_id, sub in workflow.subprocesses.items():
            migrate_workflow(subs[sp_id], sub, target.subprocess_specs[sub.spec.name])
    except (SpiffWorkflowException, KeyError, AttributeError, ValueError) as exc:
        return Refusal(f"the instance cannot be moved: {type(exc).__name__}: {exc}")
    workflow.subprocess_specs = target.subprocess_specs
    for task_id, internal in timers.items():
        task = workflow.tasks.get(task_id)
        if task is not None and _waits(task):
            task.internal_data = internal  # a timer keeps its moment; a message keeps its wait
    refusal = _stray([workflow, *workflow.subprocesses.values()], version)
    if refusal is not None:
        return refusal
    return Execution.load(target, Execution(target, workflow).dump())


def _waits(task: Any) -> bool:
    return task.state == TaskState.WAITING and isinstance(task.task_spec, CatchingEvent)
