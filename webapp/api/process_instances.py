"""Process instances: start one, search them, read one with its data and open tasks, read its history."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine import instances, reading
from webapp.api.common import blueprint, caller, fails, json_only
from webapp.api.schemas import (
    HistoryPageSchema,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceSearchArgsSchema,
    OutcomeSchema,
    PageArgsSchema,
    StartSchema,
    page,
)
from webapp.transaction import commit, tx

bp: Blueprint = blueprint("api_process_instances", "/process-instances", "Running and finished instances")


@bp.post("")
@json_only
@bp.arguments(StartSchema)
@bp.response(201, OutcomeSchema)
@fails(bp, 403, 404, 409, 413, 415)
def create(body: dict[str, Any]) -> Any:
    """Start the newest version of a process with its start data; answers its status and open tasks."""
    outcome = instances.start(tx(), body["process_key"], caller(), body["data"], body.get("business_key"))
    commit()
    return outcome


@bp.get("")
@bp.arguments(InstanceSearchArgsSchema, location="query")
@bp.response(200, InstancePageSchema)
@fails(bp)
def index(args: dict[str, Any]) -> dict[str, Any]:
    """Instances the caller may read, newest first: HR and auditors see all, others their own."""
    size, number = args["page_size"], args["page"]
    found = reading.search(
        tx(),
        caller(),
        process_key=args.get("process_key"),
        status=args.get("status"),
        subject=args.get("subject"),
        limit=size,
        offset=(number - 1) * size,
    )
    commit()  # an auditor's look is logged
    return page(found.items, found.total, number, size)


@bp.get("/<int(max=2147483647):instance_id>")
@bp.response(200, InstanceDetailSchema)
@fails(bp, 403, 404)
def show(instance_id: int) -> dict[str, Any]:
    """One instance: status, version, its data now, its open tasks."""
    view = reading.show(tx(), caller(), instance_id)
    commit()  # an auditor's look is logged
    return {**vars(view.summary), "data": view.data, "open_tasks": view.open_tasks}


@bp.get("/<int(max=2147483647):instance_id>/history")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, HistoryPageSchema)
@fails(bp, 403, 404)
def history(args: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """The instance's audit events in order: who did what, when, with which data, and the hashes."""
    events = reading.history_of(tx(), caller(), instance_id)
    commit()  # an auditor's look is logged
    size, number = args["page_size"], args["page"]
    return page(events[(number - 1) * size : number * size], len(events), number, size)
