"""The service handlers the application provides, and how a running instance reaches them.

A model's service task names its implementation (a Camunda topic, delegate expression, class or
expression; see ``engine.bpmn.services.handler_names``). The application registers a handler under
that name on the engine's ``ServiceRegistry``::

    def start_reviews(data, ctx):
        for nip in data["pegawai"]:
            instances.start(ctx.tx, "skp_tahunan", ctx.actor, {"nip": nip})
        return {"started": len(data["pegawai"])}

    engine.services.register("kinerja.startReviews", start_reviews)

A handler receives a copy of the task's data and a ``ServiceContext`` holding the transaction, so it
may call engine commands (start other instances, for example). It returns a mapping merged into the
task's data (or, with ``camunda:resultVariable``, a value stored under that name), or None. It runs
without the script time limit: it is trusted application code. A deployment with a service task no
handler is registered for is refused, unless ``Settings.allow_unhandled_service_tasks`` lets such a
task complete with no data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.bpmn.lint import DeployPolicy
from engine.bpmn.scripting import Limits, using_limits
from engine.bpmn.services import ServiceCall, dispatching
from engine.bpmn.timing import clock
from engine.bpmn.watchdog import unlimited
from engine.errors import EngineError, ProcessFailed

if TYPE_CHECKING:
    from engine.runtime import Tx
    from engine.users import Actor


@dataclass(frozen=True)
class ServiceContext:
    """What a handler knows besides the data: the transaction, the instance, the task and on whose behalf."""

    tx: Tx
    instance_id: int | None  # None in the instance's very first step, before it is stored
    process_key: str
    element: str
    element_name: str | None
    handler_name: str
    actor: Actor
    properties: Mapping[str, str]  # the task's camunda:properties


Handler = Callable[[Mapping[str, Any], ServiceContext], Any]


class ServiceRegistry:
    """Handlers by name; one registry per ``Engine``."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def register(self, name: str, handler: Handler) -> None:
        """Register (or replace) the handler for one name."""
        if not name.strip():
            raise ValueError("a service handler needs a name")
        with self._lock:
            self._handlers[name.strip()] = handler

    def unregister(self, name: str) -> None:
        with self._lock:
            self._handlers.pop(name.strip(), None)

    def find(self, names: tuple[str, ...]) -> tuple[str, Handler] | None:
        """The first of the names a handler is registered under, with its handler."""
        with self._lock:
            return next(((n, self._handlers[n]) for n in names if n in self._handlers), None)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._handlers)


def product_services() -> ServiceRegistry:
    """A registry holding the handlers of the product's own process library (``processes/``)."""
    from engine import cycle  # imported late: the cycle commands use the whole engine

    registry = ServiceRegistry()
    for stage in sorted({*cycle.STAGES, *cycle.UNIT_PROCESSES}):  # the orchestrator's kinerja.tahap.<stage>
        registry.register(f"kinerja.tahap.{stage}", _stage_handler(cycle.run_stage, stage))
    registry.register("kinerja.pegawai_terdampak", _affected_employees)
    return registry


def _affected_employees(data: Mapping[str, Any], ctx: ServiceContext) -> dict[str, Any]:
    """perubahan_kebijakan: who a new policy reaches, from the units and posts its message names."""
    from engine import orgchart

    nips = orgchart.affected_employees(
        ctx.tx, data.get("unit_terdampak"), data.get("jabatan_terdampak"), data.get("peserta_terdampak")
    )
    return {"peserta_terdampak": nips}


def _stage_handler(run_stage: Callable[..., Any], stage: str) -> Handler:
    def handler(data: Mapping[str, Any], ctx: ServiceContext) -> Any:
        return run_stage(ctx.tx, data, stage, ctx.actor)

    return handler


def deploy_policy(tx: Tx) -> DeployPolicy:
    """The checks a deployment passes under this engine's settings and registered handlers."""
    return DeployPolicy(
        require_assignment=not tx.settings.allow_unassigned_user_tasks,
        service_handler=lambda names: tx.services.find(names) is not None,
        allow_unhandled_service_tasks=tx.settings.allow_unhandled_service_tasks,
    )


@contextmanager
def engine_step(tx: Tx, instance_id: int | None, process_key: str, actor: Actor) -> Iterator[None]:
    """Run engine steps of one instance: the engine clock, the script limits, the service handlers."""
    limits = Limits(tx.settings.script_seconds, tx.settings.script_memory_mb)

    def dispatch(call: ServiceCall) -> Any:
        found = tx.services.find(call.handler_names)
        if found is None:
            if tx.settings.allow_unhandled_service_tasks:
                return None
            names = ", ".join(call.handler_names) or "no implementation"
            raise ProcessFailed(f"no service handler is registered for {names}", call.element)
        name, handler = found
        context = ServiceContext(
            tx, instance_id, process_key, call.element, call.name, name, actor, call.properties
        )
        try:  # a handler that fails takes back what it wrote; the instance keeps the rest of the step
            with unlimited(), tx.store.savepoint():
                return handler(call.data, context)
        except EngineError as exc:
            raise ProcessFailed(f"service {name!r} failed: {exc.message}", call.element) from exc
        except Exception as exc:  # a handler's failure is the instance's error, named at the task
            message = f"service {name!r} failed: {type(exc).__name__}: {exc}"
            raise ProcessFailed(message, call.element) from exc

    with clock(tx.clock.now, tx.settings.tz), using_limits(limits), dispatching(dispatch):
        yield
