"""Service tasks: named by the model, carried out by a handler the application registers.

A Camunda service task names its implementation in one of several ways: ``camunda:type="external"``
with ``camunda:topic``, ``camunda:delegateExpression="${mailer}"``, ``camunda:class``,
``camunda:expression="#{svc.post(id)}"`` or ``camunda:type`` alone. ``handler_names`` turns them into
the names a handler may be registered under, most specific first. When the engine reaches the task it
calls the dispatcher installed for the running step (``dispatching``) and completes the task with what
the handler returned; SpiffWorkflow's own service task would wait, unserializable, for the application.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.task import Task as SpiffTask

_CALL_NAME = re.compile(r"^\s*[$#]\{\s*([A-Za-z_][\w.]*)\s*(?:\(.*\))?\s*\}\s*$", re.S)


@dataclass(frozen=True)
class ServiceCall:
    """One service task reached by a running instance: what the handler is told."""

    element: str
    name: str | None
    handler_names: tuple[str, ...]
    data: Mapping[str, Any]
    properties: Mapping[str, str]  # the task's camunda:properties, e.g. which stage a handler runs


Dispatcher = Callable[[ServiceCall], Any]
_dispatcher: contextvars.ContextVar[Dispatcher | None] = contextvars.ContextVar(
    "kinerja_service_dispatcher", default=None
)


@contextmanager
def dispatching(dispatcher: Dispatcher) -> Iterator[None]:
    """Route the service tasks reached while the body runs to this dispatcher."""
    token = _dispatcher.set(dispatcher)
    try:
        yield
    finally:
        _dispatcher.reset(token)


def handler_names(attributes: Mapping[str, str]) -> tuple[str, ...]:
    """The names a handler for a task with these camunda attributes may be registered under."""
    names: list[str] = []
    if attributes.get("topic"):
        names.append(attributes["topic"].strip())
    for key in ("delegateExpression", "expression"):
        match = _CALL_NAME.match(attributes.get(key) or "")
        if match:
            names.append(match.group(1))
    if attributes.get("class"):
        names.append(attributes["class"].strip())
    kind = (attributes.get("type") or "").strip()
    if kind and kind != "external":
        names.append(kind)
    return tuple(dict.fromkeys(n for n in names if n))


class KinerjaServiceTask(ServiceTask):  # type: ignore[misc]
    """A service task that calls the registered handler and completes with its result."""

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        names: tuple[str, ...] = (),
        result_variable: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler_names = names
        self.result_variable = result_variable

    def _run_hook(self, my_task: SpiffTask) -> bool:
        dispatcher = _dispatcher.get()
        if dispatcher is None:
            raise WorkflowTaskException("no service handlers are available to this step", task=my_task)
        properties = {k: v for k, v in (self.extensions or {}).items() if isinstance(v, str)}
        call = ServiceCall(self.bpmn_id, self.bpmn_name, self.handler_names, dict(my_task.data), properties)
        result = dispatcher(call)
        if self.result_variable:
            my_task.data[self.result_variable] = result
        elif isinstance(result, Mapping):
            my_task.data.update(result)
        return True


class ServiceTaskParser(CamundaTaskParser):  # type: ignore[misc]
    """Reads the Camunda implementation attributes of a service task into its handler names."""

    def create_task(self) -> KinerjaServiceTask:
        attributes = {
            key: self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{key}") or ""
            for key in ("type", "topic", "delegateExpression", "expression", "class", "resultVariable")
        }
        return KinerjaServiceTask(
            self.spec,
            self.bpmn_id,
            names=handler_names(attributes),
            result_variable=attributes["resultVariable"] or None,
            **self.bpmn_attributes,
        )
