"""Running one process instance: start, load and save state-only JSON, ready tasks, complete, cancel.

An ``Execution`` wraps a SpiffWorkflow ``BpmnWorkflow`` and is the only thing the rest of the engine
touches; what leaves it is our own frozen dataclasses. Specs are compiled once per definition hash and
shared; an instance's JSON holds only its state.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import events
from engine.bpmn.events import WaitingEvent
from engine.bpmn.forms import FormDefinitionError, FormField, field_from_spec
from engine.bpmn.parser import CompiledModel, ModelSource, compile_bundle
from engine.bpmn.scripting import RestrictedEnvironment, restricted_engine
from engine.bpmn.timing import clock, current_time, nudged
from engine.errors import EngineError, ProcessFailed

MAX_STEPS_PER_CALL = 20_000  # engine tasks run in one call before we call it a runaway loop
# SpiffWorkflow fires a timer once the clock is strictly past it; the engine fires it at its moment.
_AT_THE_MOMENT = timedelta(microseconds=1)
__all__ = ["SPECS", "Execution", "ReadyTask", "TaskInfo", "WaitingEvent", "clock"]


# -- serialization: state only, specs re-attached from the cache ------------------------------------


class _StateOnlyConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes a workflow without its specs; restores it onto spec objects handed in by the loader."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs")
        workflow = self.target_class(
            spec, subprocess_specs, script_engine=restricted_engine(), deserializing=True
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_CONFIG = dict(CAMUNDA_CONFIG)
_CONFIG[BpmnWorkflow] = _StateOnlyConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
STATE_FORMAT = f"kinerja-state/{_SERIALIZER.VERSION}"


# -- compiled specs, cached per definition hash -----------------------------------------------------


class SpecCache:
    """Compiled models by (definition hash, key); compiled once per process, shared by every instance."""

    def __init__(self, size: int = 256) -> None:
        self._models: OrderedDict[tuple[str, str], CompiledModel] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, sha256: str, key: str, files: Callable[[], Sequence[ModelSource]]) -> CompiledModel:
        with self._lock:
            model = self._models.get((sha256, key))
            if model is not None:
                self._models.move_to_end((sha256, key))
                return model
        model = compile_bundle(files())[key]
        self.put(sha256, model)
        return model

    def put(self, sha256: str, model: CompiledModel) -> None:
        with self._lock:
            self._models[(sha256, model.key)] = model
            while len(self._models) > self._size:
                self._models.popitem(last=False)


SPECS = SpecCache()


# -- what leaves the seam ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyTask:
    """A task waiting for a person: a user task or a manual task."""

    spiff_id: str
    bpmn_id: str
    name: str
    kind: str  # user | manual
    lane: str | None
    documentation: str | None
    form: tuple[FormField, ...]
    extensions: Mapping[str, Any]
    data: Mapping[str, Any]


@dataclass(frozen=True)
class TaskInfo:
    """What a task page shows about any task, ready or done."""

    bpmn_id: str
    name: str
    documentation: str | None
    form: tuple[FormField, ...]
    data: dict[str, Any]


def form_of(task_spec: Any) -> tuple[FormField, ...]:
    """The form fields of a task spec as our value types (built once per spec, which never changes)."""
    cached: tuple[FormField, ...] | None = getattr(task_spec, "_kinerja_form", None)
    if cached is None:
        form = getattr(task_spec, "form", None)
        cached = () if form is None else tuple(field_from_spec(f) for f in form.fields)
        task_spec._kinerja_form = cached
    return cached


# -- one running instance ---------------------------------------------------------------------------


class Execution:
    """One process instance in memory: the only object that touches a SpiffWorkflow workflow."""

    def __init__(self, model: CompiledModel, workflow: BpmnWorkflow) -> None:
        self.model = model
        self._wf = workflow
        if not isinstance(workflow.script_engine.environment, RestrictedEnvironment):
            self._wf.script_engine = restricted_engine()  # never the unrestricted default

    @classmethod
    def start(
        cls, model: CompiledModel, data: Mapping[str, Any], start_cycle: Mapping[str, Any] | None = None
    ) -> Execution:
        """A new instance run to its first wait; ``start_cycle`` carries on a predecessor's start timer."""
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=restricted_engine())
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(dict(data))
        if start_cycle is not None:
            events.resume_cycle(workflow, start_cycle)
        execution = cls(model, workflow)
        execution.run_steps()
        return execution

    @classmethod
    def load(cls, model: CompiledModel, state: str) -> Execution:
        document = json.loads(state)
        if document.pop("format", None) != STATE_FORMAT:
            raise EngineError("the saved state was written by another engine version; migrate it first")
        document["spec"] = model.spec
        document["subprocess_specs"] = model.subprocess_specs
        workflow = _SERIALIZER.from_dict(document)
        return cls(model, workflow)

    def dump(self) -> str:
        registry = _SERIALIZER.registry
        registry._encoder_mode = True
        try:
            document = registry.convert(self._wf)
        finally:
            registry._encoder_mode = False
        document["format"] = STATE_FORMAT
        return json.dumps(document, separators=(",", ":"), default=_json_default)

    # -- reading ----------------------------------------------------------------------------------
    def _workflows(self) -> list[Any]:
        return [self._wf, *self._wf.subprocesses.values()]

    def _tasks(self, state: int) -> list[SpiffTask]:
        # The flat task dicts, not SpiffWorkflow's tree iterator: that one stops at depth 1000 and a
        # rework loop taken a few hundred times would silently stall the instance.
        return [t for wf in self._workflows() for t in list(wf.tasks.values()) if t.state == state]

    def ready_tasks(self) -> list[ReadyTask]:
        return [self._ready(t) for t in self._tasks(TaskState.READY) if t.task_spec.manual]

    def _ready(self, task: SpiffTask) -> ReadyTask:
        spec = task.task_spec
        try:
            form = form_of(spec)
        except FormDefinitionError as exc:
            raise ProcessFailed(str(exc), spec.bpmn_id) from None
        return ReadyTask(
            spiff_id=str(task.id),
            bpmn_id=spec.bpmn_id or spec.name,
            name=spec.bpmn_name or spec.bpmn_id or spec.name,
            kind="user" if hasattr(spec, "form") else "manual",
            lane=spec.lane,
            documentation=spec.documentation,
            form=form,
            extensions=dict(spec.extensions or {}),
            data=task.data,
        )

    def task_info(self, spiff_id: str) -> TaskInfo:
        task = self._task(spiff_id)
        spec = task.task_spec
        return TaskInfo(
            spec.bpmn_id or spec.name,
            spec.bpmn_name or spec.bpmn_id or spec.name,
            spec.documentation,
            form_of(spec),
            dict(task.data),
        )

    @property
    def completed(self) -> bool:
        return not any(t.has_state(TaskState.NOT_FINISHED_MASK) for t in self._tasks_all())

    def _tasks_all(self) -> list[SpiffTask]:
        return [t for wf in self._workflows() for t in wf.tasks.values()]

    @property
    def data(self) -> dict[str, Any]:
        """The instance's current data: the final data once finished, else the newest task's."""
        if self.completed:
            return dict(self._wf.data)
        newest = max(
            (t for t in self._tasks_all() if t.state == TaskState.COMPLETED),
            key=lambda t: t.last_state_change,
            default=self._wf.last_task,
        )
        return dict(newest.data) if newest is not None else {}

    def task_data(self, spiff_id: str) -> dict[str, Any]:
        return dict(self._task(spiff_id).data)

    def waiting_events(self) -> list[WaitingEvent]:
        """Every timer and message this instance waits for (read in the current ``clock`` context)."""
        return events.waits(self._wf)

    def next_due_at(self) -> datetime | None:
        return min((e.due_at for e in self.waiting_events() if e.due_at is not None), default=None)

    def withdrawn_by(self, event: WaitingEvent) -> frozenset[str]:
        """The ready human tasks an interrupting boundary event withdraws when it fires."""
        return events.withdrawn_by(self._wf, event)

    def interrupter_of(self, spiff_id: str) -> dict[str, Any] | None:
        """The interrupting boundary event (of any kind) that withdrew this human task, if one did."""
        return events.interrupter_of(self._wf, spiff_id)

    def attached_human_tasks(self, event: WaitingEvent) -> frozenset[str]:
        """The ready human tasks under the activity a boundary event sits on."""
        return events.attached_human_tasks(self._wf, event)

    # -- changing ---------------------------------------------------------------------------------
    def _task(self, spiff_id: str) -> SpiffTask:
        try:
            task = self._wf.get_task_from_id(UUID(spiff_id))
        except SpiffWorkflowException:
            task = None
        if task is None:
            raise EngineError(f"task {spiff_id} is not part of this instance")
        return task

    def complete(self, spiff_id: str, data: Mapping[str, Any]) -> None:
        """Complete a ready human task with the given (already validated) data, then run the engine."""
        task = self._task(spiff_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise EngineError(f"task {task.task_spec.bpmn_id} is not waiting for a person")
        task.set_data(**dict(data))
        self._guarded(task.run)
        self.run_steps()

    def run_steps(self) -> None:
        """Run every automatic task that is ready, until only people, timers or messages remain."""
        self._guarded(self._run_ready)

    def fire_timers(self) -> list[WaitingEvent]:
        """Let the timers due by the engine clock fire, run what follows, and return those that fired."""
        now = current_time()
        due = [e for e in self.waiting_events() if e.due_at is not None and e.due_at <= now]
        with clock(nudged(_AT_THE_MOMENT)):
            self._guarded(self._wf.refresh_timers)
            self.run_steps()
        return due

    def deliver(self, name: str, payload: Any, result_var: str | None = None) -> bool:
        """Hand a message to the events of this instance that wait for it, then run what follows.

        False if nothing here waits for it. ``result_var`` names the variable the payload lands in;
        without one, the payload (a JSON object) is merged into the process data.
        """
        caught = False

        def send() -> None:
            nonlocal caught
            caught = events.send_message(self._wf, name, payload, result_var)

        self._guarded(send)
        if caught:
            self.run_steps()
        return caught

    def stop_start_cycle(self, event: WaitingEvent) -> dict[str, Any] | None:
        """After a cycling start timer fired: stop it here, return its remaining repetitions."""
        cycling, remaining = events.stop_cycle(self._wf, event.spiff_id)
        if cycling:
            self._guarded(self._wf.refresh_timers)  # the start event now completes, with no new token
            self.run_steps()
        return remaining

    def cancel(self) -> list[str]:
        """Cancel the whole instance; return the ids of the human tasks that were still ready."""
        ready = [str(t.id) for t in self._tasks(TaskState.READY) if t.task_spec.manual]
        self._wf.cancel()
        return ready

    def _run_ready(self) -> None:
        budget = MAX_STEPS_PER_CALL
        while True:
            ran = 0
            subprocesses = sorted(self._wf.get_active_subprocesses(), key=lambda sp: sp.depth, reverse=True)
            for sub in subprocesses:
                ran += self._run_ready_in(sub)
                if sub.parent_task_id is not None:
                    parent = self._wf.get_task_from_id(sub.parent_task_id)
                    parent.task_spec._update(parent)
            ran += self._run_ready_in(self._wf)
            budget -= ran
            if budget < 0:
                raise ProcessFailed(
                    f"more than {MAX_STEPS_PER_CALL} automatic steps in a row: a runaway loop?"
                )
            if ran == 0 and len(self._wf.get_active_subprocesses()) <= len(subprocesses):
                break
        self._wf.refresh_timers()

    def _run_ready_in(self, workflow: Any) -> int:
        ran = 0
        while True:
            ready = [
                t
                for t in list(workflow.tasks.values())
                if t.state == TaskState.READY and not t.task_spec.manual
            ]
            if not ready:
                return ran
            for task in ready:
                if task.state == TaskState.READY:
                    task.run()
                    ran += 1

    def _guarded(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except ProcessFailed:
            raise
        except SpiffWorkflowException as exc:
            spec = getattr(exc, "task_spec", None) or getattr(getattr(exc, "task", None), "task_spec", None)
            element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
            line = getattr(exc, "line_number", None) or None
            raise ProcessFailed(str(exc), element, line) from exc
        except (
            ArithmeticError,
            LookupError,
            TypeError,
            ValueError,
            NameError,
            AttributeError,
            SyntaxError,
        ) as exc:
            raise ProcessFailed(f"{type(exc).__name__}: {exc}") from exc


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    registry = _SERIALIZER.registry
    if registry.typenames.get(value.__class__) in registry.convert_to_dict:
        # e.g. the events an event-based gateway has seen, kept in its task's internal data
        return registry.convert(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def starts_on_timer(model: CompiledModel) -> bool:
    """Whether the process begins with a timer start event (an instance then waits for it)."""
    return events.starts_on_timer(model.spec)


def start_messages(model: CompiledModel) -> frozenset[str]:
    """The message names that start an instance of this model (its message start events)."""
    cached: frozenset[str] | None = getattr(model.spec, "_kinerja_start_messages", None)
    if cached is None:
        cached = events.start_messages(model.spec)
        model.spec._kinerja_start_messages = cached
    return cached


def form_of_element(model: CompiledModel, bpmn_id: str) -> tuple[FormField, ...]:
    """The form fields of a task by its BPMN id, in the process or any process it calls."""
    for spec in (model.spec, *model.subprocess_specs.values()):
        task_spec = spec.task_specs.get(bpmn_id)
        if task_spec is not None:
            return form_of(task_spec)
    return ()
