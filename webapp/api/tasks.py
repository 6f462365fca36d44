"""Tasks: my inbox (mine, queue, archive), one task with its form, claim, release, complete."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine import instances, tasks
from engine.errors import ValidationFailed
from webapp.api.common import blueprint, caller, fails, json_only
from webapp.api.schemas import (
    CompleteSchema,
    OutcomeSchema,
    TaskDetailSchema,
    TaskListArgsSchema,
    TaskPageSchema,
    TaskSchema,
    page,
)
from webapp.errors import respond
from webapp.i18n import field_error
from webapp.transaction import commit, tx

bp: Blueprint = blueprint("api_tasks", "/tasks", "The caller's tasks: list, read, claim, release, complete")


@bp.get("")
@bp.arguments(TaskListArgsSchema, location="query")
@bp.response(200, TaskPageSchema)
@fails(bp)
def index(args: dict[str, Any]) -> dict[str, Any]:
    """The caller's tasks in one scope: mine (assigned or claimed), queue (may claim), archive (done)."""
    size = args["page_size"]
    found = tasks.inbox(
        tx(),
        caller(),
        args["scope"],
        size,
        (args["page"] - 1) * size,
        process_key=args.get("process_key"),
        search=args.get("q"),
    )
    return page(found.items, found.total, args["page"], size)


@bp.get("/<int(max=2147483647):task_id>")
@bp.response(200, TaskDetailSchema)
@fails(bp, 403, 404)
def show(task_id: int) -> dict[str, Any]:
    """One task with its form (fields and options) and the data it shows."""
    detail = tasks.show(tx(), task_id, caller())
    shown = {"documentation": detail.documentation, "form": detail.form, "data": detail.data}
    return {**vars(detail.summary), **shown}


@bp.post("/<int(max=2147483647):task_id>/claim")
@bp.response(200, TaskSchema)
@fails(bp, 403, 404, 409)
def claim(task_id: int) -> Any:
    """Take an open task from a queue into the caller's own tasks."""
    task = instances.claim(tx(), task_id, caller())
    commit()
    return task


@bp.post("/<int(max=2147483647):task_id>/release")
@bp.response(200, TaskSchema)
@fails(bp, 403, 404, 409)
def release(task_id: int) -> Any:
    """Give a claimed task back to its queue."""
    task = instances.release(tx(), task_id, caller())
    commit()
    return task


@bp.post("/<int(max=2147483647):task_id>/complete")
@json_only
@bp.arguments(CompleteSchema)
@bp.response(200, OutcomeSchema)
@fails(bp, 403, 404, 409, 413, 415)
def complete(body: dict[str, Any], task_id: int) -> Any:
    """Complete a task with its form's values; answers the instance's status and its open tasks."""
    actor = caller()
    try:
        outcome = instances.complete(tx(), task_id, body["data"], actor)
    except ValidationFailed as exc:  # a message per field, in the caller's language (as the page says it)
        types = {f.id: f.type for f in tasks.show(tx(), task_id, actor).form}
        translated = {
            name: [field_error(p, types.get(name, "string")) for p in problems]
            for name, problems in exc.field_errors.items()
        }
        return respond(422, exc.code, exc.message, {"errors": translated})
    commit()
    return outcome
