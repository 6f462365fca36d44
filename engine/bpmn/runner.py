"""Running one process instance: start, load and save state-only JSON, ready tasks, complete, cancel.

An ``Execution`` wraps a SpiffWorkflow ``BpmnWorkflow`` and is the only thing the rest of the engine
touches; what leaves it is our own frozen dataclasses. Specs are compiled once per definition hash and
shared; an instance's JSON holds only its state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import events
from engine.bpmn.events import WaitingEvent
from engine.bpmn.forms import FormDefinitionError, FormField, field_from_spec
from engine.bpmn.parser import CompiledModel
from engine.bpmn.scripting import RestrictedEnvironment, current_limits, restricted_engine, step_limit
from engine.bpmn.state import SERIALIZER, STATE_FORMAT
from engine.bpmn.state import SPECS as SPECS
from engine.bpmn.timing import clock, current_time, nudged
from engine.bpmn.trace import Trace, trace_of
from engine.bpmn.watchdog import StepMemoryExceeded, StepTimeout
from engine.errors import EngineError, ProcessFailed

MAX_STEPS_PER_CALL = 20_000  # engine tasks run in one call before we call it a runaway loop
# SpiffWorkflow fires a timer once the clock is strictly past it; the engine fires it at its moment.
_AT_THE_MOMENT = timedelta(microseconds=1)
__all__ = ["SPECS", "Execution", "ReadyTask", "TaskInfo", "WaitingEvent", "clock"]


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
        self._running: SpiffTask | None = None  # the task being run, named when a step is stopped
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
        workflow = SERIALIZER.from_dict(document)
        return cls(model, workflow)

    def dump(self) -> str:
        registry = SERIALIZER.registry
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

    def passed_elements(self) -> list[str]:
        """The diagram elements this instance has completed so far (subprocesses included), in order."""
        done = sorted(
            (t for t in self._tasks_all() if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id),
            key=lambda t: t.last_state_change,
        )
        return list(dict.fromkeys(str(t.task_spec.bpmn_id) for t in done))

    def trace(self, model_files: Iterable[str]) -> Trace:
        """How often each element ran and which sequence flows were taken (for a highlighted path)."""
        return trace_of(self._tasks_all(), model_files)

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
        self._guarded(lambda: self._run(task))
        self.run_steps()

    def throw(self, spiff_id: str, kind: str, code: str, data: Mapping[str, Any]) -> str:
        """Throw a BPMN error or escalation at a waiting human task (Camunda's handleBpmnError).

        The nearest boundary event that catches it (on the task, else on an enclosing subprocess)
        takes it, with ``data`` as its payload; the engine then runs on. Returns that event's id.
        """
        task = self._task(spiff_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise EngineError(f"task {task.task_spec.bpmn_id} is not waiting for a person")
        catcher = _catcher(task, _EVENT_KINDS[kind], code)
        if catcher is None:
            raise EngineError(f"no boundary event catches {kind} {code!r} at task {task.task_spec.bpmn_id}")
        definition = catcher.task_spec.event_definition
        event = BpmnEvent(type(definition)(definition.name, code=code), payload=dict(data))

        def catch() -> None:
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)

        self._guarded(catch)
        self.run_steps()
        return str(catcher.task_spec.bpmn_id)

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
                    self._run(task)
                    ran += 1

    def _run(self, task: SpiffTask) -> None:
        self._running = task
        task.run()
        self._running = None

    def _guarded(self, action: Callable[[], Any]) -> None:
        """Run library code under the step limit, turning every failure into ProcessFailed."""
        self._running = None
        try:
            with step_limit():
                action()
        except ProcessFailed:
            raise
        except SpiffWorkflowException as exc:
            spec = getattr(exc, "task_spec", None) or getattr(getattr(exc, "task", None), "task_spec", None)
            element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
            line = getattr(exc, "line_number", None) or None
            raise ProcessFailed(_message_of(exc), element, line) from exc
        except StepTimeout:
            limit = current_limits().seconds
            raise ProcessFailed(f"stopped: the step ran longer than {limit:g} s", self._element()) from None
        except StepMemoryExceeded:
            limit = current_limits().memory_mb
            raise ProcessFailed(f"stopped: the step used more than {limit} MB", self._element()) from None
        except (
            ArithmeticError,
            LookupError,
            TypeError,
            ValueError,
            NameError,
            AttributeError,
            SyntaxError,
            RecursionError,
            MemoryError,
        ) as exc:
            raise ProcessFailed(f"{type(exc).__name__}: {exc}", self._element()) from exc

    def _element(self) -> str | None:
        spec = self._running.task_spec if self._running is not None else None
        return (spec.bpmn_id or spec.name) if spec is not None else None


_EVENT_KINDS = {"error": ErrorEventDefinition, "escalation": EscalationEventDefinition}


def _catcher(task: SpiffTask, definition_class: type, code: str) -> SpiffTask | None:
    """The waiting boundary event nearest to the task that catches this code (or any code)."""
    current: SpiffTask | None = task
    while current is not None:
        siblings = current.parent.children if current.parent is not None else []
        for sibling in siblings:
            definition = getattr(sibling.task_spec, "event_definition", None)
            if (
                sibling is not current
                and sibling.state == TaskState.WAITING
                and type(definition) is definition_class
                and getattr(definition, "code", None) in (None, code)
            ):
                return sibling
        workflow = current.workflow
        parent_id = getattr(workflow, "parent_task_id", None)
        current = workflow.top_workflow.get_task_from_id(parent_id) if parent_id is not None else None
    return None


def _message_of(exc: SpiffWorkflowException) -> str:
    """The library's message; its own ``__str__`` fails when a note is None (after some NameErrors)."""
    notes = [n for n in getattr(exc, "notes", []) if n]
    return ". ".join([str(exc.args[0]) if exc.args else type(exc).__name__, *notes])


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    registry = SERIALIZER.registry
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
