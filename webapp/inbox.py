"""The inbox: my tasks, the queues I may claim from, what I finished; claim and release."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from engine import deploy, instances, tasks
from engine.status import TaskScope
from webapp.access import actor_or_401, login_required, safe_target
from webapp.i18n import _
from webapp.transaction import commit, tx

bp = Blueprint("inbox", __name__)


@dataclass(frozen=True)
class Query:
    """What the inbox page was asked for, parsed from the URL (anything odd falls back to a default)."""

    scope: TaskScope
    process: str
    search: str
    page: int

    @classmethod
    def parse(cls) -> Query:
        scope = request.args.get("scope", TaskScope.MINE)
        page = request.args.get("page", "1")
        return cls(
            TaskScope(scope) if scope in TaskScope.__members__.values() else TaskScope.MINE,
            request.args.get("process", "")[:255],
            " ".join(request.args.get("q", "").split())[:100],
            max(1, min(int(page), 100_000)) if page.isdigit() else 1,
        )

    def url(self, **changes: object) -> str:
        """This page's URL with some parameters changed (empty ones left out)."""
        values: dict[str, object] = {
            "scope": self.scope.value,
            "process": self.process,
            "q": self.search,
            "page": self.page,
        }
        values.update(changes)
        kept: dict[str, Any] = {k: v for k, v in values.items() if v not in ("", None, 1)}
        return url_for("inbox.index", **kept)


@bp.get("/")
@login_required
def index() -> str:
    """One scope of the inbox, filtered, sorted by due date, a page at a time."""
    actor = actor_or_401()
    query = Query.parse()
    size = int(current_app.config["PAGE_SIZE"])
    page = tasks.inbox(
        tx(),
        actor,
        query.scope,
        size,
        (query.page - 1) * size,
        process_key=query.process or None,
        search=query.search or None,
    )
    processes = {d.key: d.name or d.key for d in deploy.definitions(tx()) if d.kind == "process"}
    template = "inbox/_list.html" if request.headers.get("HX-Request") else "inbox/index.html"
    return render_template(
        template,
        query=query,
        page=page,
        pages=max(1, -(-page.total // size)),
        counts=tasks.counts(tx(), actor),
        processes=processes,
        now=tx().clock.now(),
        scopes=TaskScope,
    )


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Response:
    """Take a task from a queue; then open it."""
    task = instances.claim(tx(), task_id, actor_or_401())
    commit()
    flash(_("You took the task “%(title)s”.", title=task.title), "success")
    return redirect(url_for("tasks.show", task_id=task_id), code=303)  # type: ignore[return-value]


@bp.post("/tasks/<int:task_id>/release")
@login_required
def release(task_id: int) -> Response:
    """Give a claimed task back to its queue."""
    task = instances.release(tx(), task_id, actor_or_401())
    commit()
    flash(_("You gave the task “%(title)s” back to the queue.", title=task.title), "success")
    target = safe_target(request.form.get("next")) if request.form.get("next") else url_for("inbox.index")
    return redirect(target, code=303)  # type: ignore[return-value]
