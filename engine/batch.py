"""Starting many instances of one process at once (a cycle stage for a whole unit or regency).

Each instance is the same as one made by ``instances.start``: its own row, inbox tasks chosen by the
same rules, and an audit chain that begins with ``instance_started``. What differs is the cost:
when the engine's first steps cannot depend on an instance's own data, they run once for the batch
(``StartTemplate``) and every instance is a copy with fresh task ids and its own data. An instance
that does not fit the template is started the ordinary way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.bpmn.runner import clock
from engine.bpmn.scripting import Limits, using_limits
from engine.bpmn.template import StartTemplate
from engine.deploy import definition_ref, model_of
from engine.errors import BadRequest, ProcessFailed
from engine.instances import _check_data, _check_may_start, _latest, insert_started, start
from engine.runtime import Tx
from engine.settle import Outcome, open_task
from engine.status import InstanceStatus
from engine.tasks import TaskSummary
from engine.users import Actor, check_may_change
from engine.work import Work


def start_many(
    tx: Tx,
    key: str,
    actor: Actor,
    shared: Mapping[str, Any],
    items: Sequence[tuple[Mapping[str, Any], str]],
) -> list[Outcome]:
    """Start one instance per item (its own data and business key), all with the shared data.

    A business key already taken is refused by the database's unique index (Conflict); callers
    that launch stages skip existing keys first.
    """
    check_may_change(actor)
    definition = _latest(tx, key)
    model = model_of(tx, definition_ref(tx, definition.id))
    _check_may_start(model.starter_groups, model.starter_users, actor)
    shared = _check_data(shared)
    limits = Limits(tx.settings.script_seconds, tx.settings.script_memory_mb)
    template: StartTemplate | None
    try:  # under the engine clock (timers reached at the start) and the script limits
        with clock(tx.clock.now, tx.settings.tz), using_limits(limits):
            template = StartTemplate(model, shared)
    except ProcessFailed:  # a service task (or a failing script) at the start: each starts on its own
        template = None
    outcomes = []
    for own, business_key in items:
        values = _check_data(own)
        if template is None or not template.fits(values):
            outcomes.append(start(tx, key, actor, {**shared, **values}, business_key))
            continue
        outcomes.append(_from_template(tx, template, definition, actor, values, business_key))
    return outcomes


def _from_template(
    tx: Tx, template: StartTemplate, definition: Any, actor: Actor, own: dict[str, Any], business_key: str
) -> Outcome:
    if not business_key.strip() or len(business_key) > 255:
        raise BadRequest("a business key has 1 to 255 characters")
    values = {**template.shared, **own}
    started = template.instantiate(own)
    row, chain = insert_started(
        tx, definition, actor, values, business_key, status=InstanceStatus.RUNNING, state=started.state
    )
    work = Work(row, None, chain)  # type: ignore[arg-type]  # opening tasks reads the row and chain only
    try:
        opened = [open_task(tx, work, ready, []) for ready in started.ready]
    except ProcessFailed as exc:
        raise ProcessFailed(f"the process cannot start: {exc.message}") from None
    # as settle does: the earliest timer, or the earliest deadline of an open task
    moments = [m for m in (started.next_due_at, *(t.due_at for t in opened)) if m is not None]
    row.next_due_at = min(moments, default=None)
    tx.store.lean.save_instance(row)  # the due time and the audit head
    chain.write()
    return Outcome(row.id, row.status, [TaskSummary.of(t) for t in opened])
