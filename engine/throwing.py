"""Throwing a BPMN error or escalation at a waiting task: Camunda's handleBpmnError / handleEscalation.

A person (or an integration) working on a task can end it with a business error ("the invoice has no
amount") or an escalation ("needs the supervisor") instead of completing it. The boundary event that
catches the code takes over: an interrupting one withdraws the task, and the path it starts opens the
next tasks. A code nothing catches is refused and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine import assignment
from engine.errors import BadRequest, Conflict, EngineError, ProcessFailed
from engine.instances import _check_data, _lock_task, _take, check_may_complete
from engine.runtime import Tx
from engine.services import engine_step
from engine.settle import Outcome, settle
from engine.status import AuditType, InstanceStatus, TaskStatus
from engine.users import Actor
from engine.work import load


def throw_error(
    tx: Tx, task_id: int, code: str, actor: Actor, data: Mapping[str, Any] | None = None
) -> Outcome:
    """Throw the BPMN error ``code`` at a task that waits for a person."""
    return _throw(tx, task_id, "error", code, actor, data)


def throw_escalation(
    tx: Tx, task_id: int, code: str, actor: Actor, data: Mapping[str, Any] | None = None
) -> Outcome:
    """Throw the BPMN escalation ``code`` at a task that waits for a person."""
    return _throw(tx, task_id, "escalation", code, actor, data)


def _throw(
    tx: Tx, task_id: int, kind: str, code: str, actor: Actor, data: Mapping[str, Any] | None
) -> Outcome:
    check_may_complete(tx, task_id, actor)
    values = _check_data(data)
    if not code or not code.strip():
        raise BadRequest(f"an {kind} needs a code")
    task, instance, active = _lock_task(tx, task_id, actor)
    roles, users = tuple(json.loads(task.candidate_roles)), tuple(json.loads(task.candidate_users))
    assignment.check_may_complete(task, roles, users, actor)
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(f"instance {instance.id} is {instance.status}")
    work = load(tx, instance)
    if task.status == TaskStatus.OPEN:
        _take(tx, task, actor)
    with engine_step(tx, instance.id, instance.process_key, actor):
        failure = None
        try:
            caught_by = work.execution.throw(task.spiff_task_id, kind, code.strip(), values)
        except ProcessFailed as exc:
            caught_by, failure = None, exc
        except EngineError as exc:
            raise Conflict(exc.message) from None  # nothing catches it: refused, nothing changed
        work.chain.add(
            AuditType.EVENT_THROWN,
            {
                "task_id": task.id,
                "bpmn_id": task.bpmn_id,
                "kind": kind,
                "code": code,
                "data": values,
                "caught_by": caught_by,
            },
            actor.username,
        )
        return settle(tx, work, actor, failure, active)
