"""What a task's page shows around its form: whose evaluation, which period, what earlier steps decided.

Read from the instance row and its audit trail (the completed-task events carry the submitted data), so
the context is exactly what was recorded. Only for a task the actor may see (``tasks.visible_task``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.bpmn.forms import FormField
from engine.bpmn.parser import CompiledModel
from engine.bpmn.runner import form_of_element
from engine.deploy import definition_ref, model_of
from engine.errors import NotFound
from engine.runtime import Tx
from engine.status import AuditType
from engine.tasks import visible_task
from engine.users import Actor

PERIOD_KEYS = ("periode", "tahun", "period")


@dataclass(frozen=True)
class Answer:
    """One value a person submitted, with the label and type of its field."""

    field_id: str
    label: str
    type: str
    value: Any
    options: dict[str, str]

    @property
    def shown(self) -> Any:
        """The value as a person reads it (an enum's option name rather than its id)."""
        return self.options.get(str(self.value), self.value) if self.options else self.value


@dataclass(frozen=True)
class Step:
    """One completed task of the instance: who did it, when, and what they decided."""

    task_id: int
    title: str
    actor: str | None
    actor_name: str | None
    actor_nip: str | None
    at: datetime
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class TaskContext:
    """The case a task belongs to."""

    instance_id: int
    process_key: str
    process_name: str | None
    subject_nip: str | None
    subject_name: str | None
    period: str | None
    business_key: str | None
    steps: tuple[Step, ...]


def answers(fields: tuple[FormField, ...], data: dict[str, Any]) -> tuple[Answer, ...]:
    """Submitted data in the order of the form, labelled; keys not on the form follow, as they are."""
    by_id = {f.id: f for f in fields}
    ordered = [f.id for f in fields if f.id in data] + sorted(k for k in data if k not in by_id)
    result = []
    for key in ordered:
        f = by_id.get(key)
        if f is None:
            result.append(Answer(key, key.replace("_", " ").capitalize(), "string", data[key], {}))
        else:
            result.append(Answer(key, f.label, f.type, data[key], {o.id: o.name for o in f.options}))
    return tuple(result)


def steps_of(tx: Tx, instance_id: int, model: CompiledModel) -> tuple[Step, ...]:
    """The completed tasks of an instance, in order, with who did them and what they decided."""
    events = [e for e in tx.store.instance_events(instance_id) if e.type == AuditType.TASK_COMPLETED]
    people = tx.store.people([e.actor for e in events if e.actor])
    steps = []
    for event in events:
        payload = json.loads(event.payload)
        fields = form_of_element(model, payload.get("bpmn_id", ""))
        name, nip = people.get(event.actor or "", (None, None))
        steps.append(
            Step(
                payload.get("task_id", 0),
                payload.get("title", ""),
                event.actor,
                name,
                nip,
                event.at,
                answers(fields, payload.get("data", {})),
            )
        )
    return tuple(steps)


def of_task(tx: Tx, task_id: int, actor: Actor) -> TaskContext:
    """The context of a task the actor may see; NotFound for anyone else."""
    record = visible_task(tx, task_id, actor)
    instance = tx.store.instance(record.instance_id)
    if instance is None:
        raise NotFound(f"no task {task_id}")
    model = model_of(tx, definition_ref(tx, instance.definition_id))
    started: dict[str, Any] = next(
        (
            json.loads(e.payload).get("data", {})
            for e in tx.store.instance_events(instance.id)[:1]
            if e.type == AuditType.INSTANCE_STARTED
        ),
        {},
    )
    period = next((str(started[k]) for k in PERIOD_KEYS if started.get(k) not in (None, "")), None)
    return TaskContext(
        instance.id,
        instance.process_key,
        model.name,
        instance.subject_nip,
        instance.subject_name,
        period,
        instance.business_key,
        steps_of(tx, instance.id, model),
    )
