"""What an instance waits for besides people (timers, messages), and handing it a message.

SpiffWorkflow keeps every waiting catch event in its workflow's event manager; ``waits`` reads that
list into our ``WaitingEvent`` values (one per timer or message, an event-based gateway giving one per
branch), with what the engine needs around them: when a timer is due, which activity a boundary
event sits on, whether it interrupts, the data a message is correlated against.

Messages: the Camunda flavour wraps a message payload as ``{'payload': ..., 'result_var': ...}`` while
receive tasks use the plain BPMN class (spiffworkflow.md 2.5), so ``send_message`` reuses the waiting
task's own event definition. A payload given without a variable name is merged into the process
data (as Camunda's ``correlate().setVariables()``), on both classes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent, EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.timing import moment

MERGE = "kinerja:merge"  # a result variable no process can name: "merge the payload into the data"
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class WaitingEvent:
    """Something an instance waits for that is not a person: a timer or a message."""

    bpmn_id: str
    kind: str  # timer | message | signal | other
    name: str | None
    due_at: datetime | None
    spiff_id: str = ""
    attached_to: str | None = None  # the BPMN id of the activity a boundary event sits on
    interrupting: bool = False  # an interrupting boundary event (escalation), not a reminder
    start: bool = False  # a start event: the instance has not begun yet
    keys: Mapping[str, Any] = field(default_factory=dict)  # scalar data a message is correlated against

    @property
    def label(self) -> dict[str, Any]:
        """The event as the audit trail names it."""
        return {
            "bpmn_id": self.bpmn_id,
            "kind": self.kind,
            "name": self.name,
            "due_at": self.due_at,
            "attached_to": self.attached_to,
            "interrupting": self.interrupting,
        }


def waits(workflow: Any) -> list[WaitingEvent]:
    """Every timer and message the workflow (with its subprocesses) waits for, in a stable order."""
    if not workflow.event_manager.tasks:
        return []  # most steps of most processes: nothing but people to wait for
    found: list[WaitingEvent] = []
    tasks = sorted(
        workflow.event_manager.tasks.values(), key=lambda t: (t.task_spec.bpmn_id or "", str(t.id))
    )
    for task in tasks:
        if task.state != TaskState.WAITING or not isinstance(task.task_spec, CatchingEvent):
            continue
        definition = task.task_spec.event_definition
        if not isinstance(definition, MultipleEventDefinition):
            found.append(_wait(task, definition, task.task_spec))
            continue
        # An event-based gateway holds its branches' events, in the order of its outgoing flows.
        branches = task.task_spec.outputs if isinstance(task.task_spec, EventBasedGateway) else []
        for i, part in enumerate(definition.event_definitions):
            found.append(_wait(task, part, branches[i] if i < len(branches) else task.task_spec))
    return found


def _wait(task: SpiffTask, definition: Any, spec: Any) -> WaitingEvent:
    attached_to, interrupting = None, False
    if isinstance(spec, BoundaryEvent):
        attached_to, interrupting = _main_of(task).task_spec.bpmn_id, bool(spec.cancel_activity)
    if isinstance(definition, TimerEventDefinition):
        kind, due, keys = "timer", _due(task, definition), {}
    elif isinstance(definition, MessageEventDefinition):
        kind, due, keys = "message", None, _scalars(task.data)
    else:
        kind, due, keys = type(definition).__name__.replace("EventDefinition", "").lower(), None, {}
    return WaitingEvent(
        bpmn_id=spec.bpmn_id or spec.name,
        kind=kind,
        name=getattr(definition, "name", None),
        due_at=due,
        spiff_id=str(task.id),
        attached_to=attached_to,
        interrupting=interrupting,
        start=isinstance(spec, StartEvent),
        keys=keys,
    )


def _due(task: SpiffTask, definition: TimerEventDefinition) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle: the next repetition, unless all have fired
        value = value.get("next") if value.get("cycles") != 0 else None
    if not isinstance(value, str):
        return None
    try:
        return moment(value)
    except (ValueError, TypeError):  # a value SpiffWorkflow itself cannot read is reported when it fires
        return None


def _scalars(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, _SCALARS) and len(str(v)) <= 255}


def _main_of(boundary: SpiffTask) -> SpiffTask:
    """The activity a boundary event sits on: its sibling under the boundary split."""
    parent = boundary.parent
    if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
        for sibling in parent.children:
            if not isinstance(sibling.task_spec, BoundaryEvent):
                return sibling  # type: ignore[no-any-return]
    return boundary


def _human_tasks_under(task: SpiffTask) -> Iterator[SpiffTask]:
    """The ready human tasks an activity holds: itself, or those inside the subprocess it runs."""
    if task.task_spec.manual and task.state == TaskState.READY:
        yield task
    subprocess = task.workflow.top_workflow.subprocesses.get(task.id)
    if subprocess is not None:
        for inner in list(subprocess.tasks.values()):
            if inner.state in (TaskState.READY, TaskState.STARTED, TaskState.WAITING):
                yield from _human_tasks_under(inner)


def withdrawn_by(workflow: Any, wait: WaitingEvent) -> frozenset[str]:
    """The ready human tasks an interrupting boundary event would withdraw if it fired now."""
    if not wait.interrupting:
        return frozenset()
    boundary = workflow.get_task_from_id(UUID(wait.spiff_id))
    if boundary is None:
        return frozenset()
    return frozenset(str(t.id) for t in _human_tasks_under(_main_of(boundary)))


def attached_human_tasks(workflow: Any, wait: WaitingEvent) -> frozenset[str]:
    """The ready human tasks under the activity a boundary event sits on (whom a reminder is for)."""
    if wait.attached_to is None:
        return frozenset()
    boundary = workflow.get_task_from_id(UUID(wait.spiff_id))
    return frozenset(str(t.id) for t in _human_tasks_under(_main_of(boundary))) if boundary else frozenset()


def interrupter_of(workflow: Any, spiff_id: str) -> dict[str, Any] | None:
    """The interrupting boundary event that withdrew a human task, if one did (any kind of event).

    Climbs from the task through the subprocesses holding it; the boundary split of the activity
    that was interrupted has the event that fired among its children.
    """
    task = _find(workflow, spiff_id)
    while task is not None:
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
            for sibling in parent.children:
                spec = sibling.task_spec
                fired = sibling.state in (TaskState.READY, TaskState.COMPLETED)
                if isinstance(spec, BoundaryEvent) and spec.cancel_activity and fired:
                    definition = spec.event_definition
                    return {
                        "bpmn_id": spec.bpmn_id,
                        "kind": type(definition).__name__.replace("EventDefinition", "").lower(),
                        "name": getattr(definition, "name", None),
                        "attached_to": task.task_spec.bpmn_id,
                        "interrupting": True,
                    }
        holder = task.workflow.parent_task_id if task.workflow is not workflow else None
        task = _find(workflow, str(holder)) if holder is not None else None
    return None


def _find(workflow: Any, spiff_id: str) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(UUID(spiff_id))  # type: ignore[no-any-return]
    except SpiffWorkflowException:  # gone with a subprocess that was cancelled as a whole
        return None


# -- messages ---------------------------------------------------------------------------------------


def _message_definitions(workflow: Any, name: str) -> list[Any]:
    found: list[Any] = []
    for task in list(workflow.event_manager.tasks.values()):
        if task.state != TaskState.WAITING or not isinstance(task.task_spec, CatchingEvent):
            continue
        definition = task.task_spec.event_definition
        parts = (
            definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        )
        for part in parts:
            named = isinstance(part, MessageEventDefinition) and part.name == name
            if named and not any(type(part) is type(known) for known in found):
                found.append(part)  # one per message class: a send reaches every waiting task of it
    return found


def wrap_payload(definition: Any, payload: Any, result_var: str | None) -> Any:
    """The payload as this message class expects it; ValueError if it cannot be merged."""
    if isinstance(definition, CamundaMessageEventDefinition):
        if result_var is None and not isinstance(payload, Mapping):
            raise ValueError("a payload that is not a JSON object needs a variable name to land in")
        return {"payload": copy.deepcopy(payload), "result_var": result_var or MERGE}
    if result_var is not None:
        return {result_var: copy.deepcopy(payload)}
    if not isinstance(payload, Mapping):
        raise ValueError("a payload that is not a JSON object needs a variable name to land in")
    return copy.deepcopy(dict(payload))


def send_message(workflow: Any, name: str, payload: Any, result_var: str | None) -> bool:
    """Hand a message to whatever in this workflow waits for it; False if nothing does."""
    definitions = _message_definitions(workflow, name)
    caught = False
    for definition in definitions:
        event_payload = wrap_payload(definition, payload, result_var)
        try:
            correlations = definition.calculate_correlations(
                workflow.script_engine, definition.correlation_properties, event_payload
            )
        except Exception:  # a retrieval expression that does not fit this payload: no keys, as a thrower
            correlations = {}
        caught |= workflow.event_manager.catch(BpmnEvent(definition, event_payload, correlations), False) > 0
    return caught


def start_messages(spec: Any) -> frozenset[str]:
    """The message names the process's start events catch (a message start event)."""
    return frozenset(
        ts.event_definition.name
        for ts in spec.task_specs.values()
        if isinstance(ts, StartEvent) and isinstance(ts.event_definition, MessageEventDefinition)
    )


def starts_on_timer(spec: Any) -> bool:
    """Whether a start event of the process waits for a timer."""
    return any(
        isinstance(ts, StartEvent) and isinstance(ts.event_definition, TimerEventDefinition)
        for ts in spec.task_specs.values()
    )


def stop_cycle(workflow: Any, spiff_id: str) -> tuple[bool, dict[str, Any] | None]:
    """Stop a start event's timer cycle after it fired: (whether it was one, what is left for a successor).

    SpiffWorkflow lets a cycling start event spawn a new token in the same instance each time; the
    engine starts a new instance per firing instead, as Camunda does.
    """
    task = workflow.get_task_from_id(UUID(spiff_id))
    if task is None or not isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        return False, None
    value = task.internal_data.get("event_value")
    remaining = dict(value) if isinstance(value, dict) and value.get("cycles") != 0 else None
    if isinstance(value, dict):
        value["cycles"] = 0
    task.internal_data["event_fired"] = True  # what SpiffWorkflow itself sets once the last one fired
    return True, remaining


def resume_cycle(workflow: Any, remaining: Mapping[str, Any]) -> None:
    """Give a fresh (not yet run) instance's cycling start event the repetitions its predecessor left."""
    for task in list(workflow.tasks.values()):
        if isinstance(task.task_spec, StartEvent) and isinstance(
            task.task_spec.event_definition, CycleTimerEventDefinition
        ):
            task.internal_data["event_value"] = dict(remaining)


_stock_update_task_data = CamundaMessageEventDefinition.update_task_data


def _update_task_data(self: Any, my_task: SpiffTask) -> None:
    event = my_task.internal_data.get(self.name)
    if (
        isinstance(event, dict)
        and event.get("result_var") == MERGE
        and isinstance(event.get("payload"), dict)
    ):
        my_task.set_data(**copy.deepcopy(event["payload"]))
        return
    _stock_update_task_data(self, my_task)


CamundaMessageEventDefinition.update_task_data = _update_task_data
