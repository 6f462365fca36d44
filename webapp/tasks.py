"""One task: its documentation, its context, its form; completing it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine import context, instances, tasks
from engine.bpmn.forms import FormField
from engine.errors import ValidationFailed
from engine.status import TaskStatus
from webapp.access import actor_or_401, login_required
from webapp.i18n import _, field_error
from webapp.richtext import markdown
from webapp.transaction import commit, tx

bp = Blueprint("tasks", __name__)


def submitted(fields: tuple[FormField, ...], form: MultiDict[str, str]) -> dict[str, Any]:
    """The form's fields as the person sent them; read-only fields and anything else are left out.

    An optional yes/no field is a checkbox after a hidden "false", so an unticked box still says no;
    a required one is a pair of radio buttons, so leaving it out is noticed.
    """
    data: dict[str, Any] = {}
    for f in fields:
        if f.readonly:
            continue
        if f.widget == "checkbox" and not f.required:
            data[f.id] = "true" if "true" in form.getlist(f.id) else "false"
        elif f.id in form:
            data[f.id] = form.get(f.id, "")
    return data


def shown(f: FormField, value: Any) -> str:
    """A stored value as an input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _page(task_id: int, values: dict[str, str] | None, errors: dict[str, list[str]], status: int) -> Response:
    actor = actor_or_401()
    detail = tasks.show(tx(), task_id, actor)
    if values is None:
        values = {f.id: shown(f, detail.data.get(f.id, f.default)) for f in detail.form}
    summary = detail.summary
    html = render_template(
        "tasks/show.html",
        task=summary,
        detail=detail,
        case=context.of_task(tx(), task_id, actor),
        documentation=markdown(detail.documentation),
        values=values,
        errors=errors,
        mine=summary.assignee in actor.identities and summary.status != TaskStatus.COMPLETED,
        claimable=summary.status == TaskStatus.OPEN,
        releasable=summary.status == TaskStatus.CLAIMED and summary.assignee in actor.identities,
        active=summary.status in (TaskStatus.OPEN, TaskStatus.ASSIGNED, TaskStatus.CLAIMED),
        now=tx().clock.now(),
    )
    return Response(html, status=status)


@bp.get("/tasks/<int:task_id>")
@login_required
def show(task_id: int) -> Response:
    """The task page; another person's task is 404."""
    return _page(task_id, None, {}, 200)


@bp.post("/tasks/<int:task_id>")
@login_required
def submit(task_id: int) -> Response:
    """Complete the task with the form's data; on bad data the form again, values kept, per-field messages."""
    actor = actor_or_401()
    instances.check_may_complete(tx(), task_id, actor)  # an auditor: 403 before the task is read
    detail = tasks.show(tx(), task_id, actor)
    data = submitted(detail.form, request.form)
    try:
        instances.complete(tx(), task_id, data, actor)
    except ValidationFailed as exc:
        types = {f.id: f.type for f in detail.form}
        errors = {
            name: [field_error(p, types.get(name, "string")) for p in problems]
            for name, problems in exc.field_errors.items()
        }
        return _page(task_id, {k: str(v) for k, v in data.items()}, errors, 422)
    commit()
    flash(_("Done: “%(title)s” is completed.", title=detail.summary.title), "success")
    return redirect(url_for("inbox.index"), code=303)  # type: ignore[return-value]
