"""The process owner's pages: the processes, a process's versions and drafts, and the editor
(bpmn-js or dmn-js) that validates, keeps drafts and deploys through the engine's modeling commands.

Only the process-owner role reaches any of it (``owner_required``; anyone else signed in gets 403).
The editor posts with ``fetch`` and reads JSON back, errors included.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import Forbidden

from engine import deploy, modeling
from engine.bpmn.parser import MAX_FILE_BYTES
from engine.errors import BadRequest, DeploymentFailed, EngineError, NotFound
from webapp.access import actor_or_401, current_actor, login_required
from webapp.errors import STATUS_OF
from webapp.i18n import _
from webapp.transaction import commit, tx

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("modeler", __name__, url_prefix="/modeler")


def owner_required(view: F) -> F:
    """Only for process owners (``modeling.may_model``); anyone else signed in gets 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not modeling.may_model(current_actor()):
            raise Forbidden()
        return view(*args, **kwargs)

    return login_required(wrapped)  # type: ignore[return-value]


# The diagram libraries set inline styles and read their icon fonts from data: URLs; scripts stay
# same-origin only, as on every other page.
EDITOR_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@bp.app_context_processor
def _may_model() -> dict[str, Any]:
    """Whether the menu shows "Processes" (the modeler) to the person signed in."""
    return {"may_model": modeling.may_model(current_actor())}


@bp.before_request
def _room_for_a_model() -> None:
    """An edited model travels as a form field: allow it up to the engine's file limit."""
    request.max_form_memory_size = MAX_FILE_BYTES + 64 * 1024


@bp.get("")
@owner_required
def index() -> str:
    """Every deployed process, and my drafts."""
    processes = [d for d in deploy.definitions(tx()) if d.kind == "process"]
    return render_template(
        "modeler/index.html", processes=processes, drafts=modeling.drafts(tx(), actor_or_401())
    )


@bp.get("/<key>")
@owner_required
def process(key: str) -> str:
    """A process: its versions with what changed, the newest version's files, my drafts."""
    actor = actor_or_401()
    versions = modeling.history(tx(), actor, key)
    files = {v.definition.version: modeling.files_of(tx(), key, v.definition.version) for v in versions}
    newest = versions[0].definition
    return render_template(
        "modeler/process.html",
        key=key,
        versions=versions,
        newest=newest,
        files=files[newest.version],
        files_of=files,
        drafts=modeling.drafts(tx(), actor, key),
    )


@bp.get("/<key>/<int:version>/edit/<name>")
@owner_required
def edit(key: str, version: int, name: str) -> Response:
    """The editor on one file of a version (or on my draft of it: ``?draft=<id>``)."""
    actor = actor_or_401()
    model = modeling.open_file(tx(), actor, key, version, name)
    source = url_for("modeler.file", key=key, version=version, name=name)
    draft_id = request.args.get("draft", type=int)
    if draft_id is not None:
        draft, _content = modeling.draft_content(tx(), actor, draft_id)
        if (draft.process_key, draft.file_name) != (key, name):
            raise NotFound(f"no draft {draft_id} of {name}")
        source = url_for("modeler.draft", draft_id=draft_id)
    page = render_template(
        "modeler/edit.html", key=key, version=version, model=model, source=source, csrf=generate_csrf()
    )
    response = Response(page)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/<key>/<int:version>/files/<name>")
@owner_required
def file(key: str, version: int, name: str) -> Response:
    """A deployed file as stored (``?download=1``: as a file to save, for Camunda Modeler)."""
    model = modeling.open_file(tx(), actor_or_401(), key, version, name)
    response = Response(model.content, mimetype="application/xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{_safe_name(name)}"'
    return response


@bp.get("/drafts/<int:draft_id>")
@owner_required
def draft(draft_id: int) -> Response:
    """My draft's content."""
    _draft, content = modeling.draft_content(tx(), actor_or_401(), draft_id)
    return Response(content, mimetype="application/xml")


@bp.post("/drafts/<int:draft_id>/discard")
@owner_required
def discard(draft_id: int) -> Any:
    found, _content = modeling.draft_content(tx(), actor_or_401(), draft_id)
    modeling.discard_draft(tx(), actor_or_401(), draft_id)
    commit()
    flash(_("The draft of %(name)s was discarded.", name=found.file_name), "success")
    return _see_other(url_for("modeler.process", key=found.process_key))


# -- what the editor posts ----------------------------------------------------------------------------


def _check_named(name: str) -> None:
    if not name:
        raise BadRequest("file: which file was edited is missing")


@bp.post("/<key>/<int:version>/validate")
@owner_required
def validate(key: str, version: int) -> Response:
    """The deploy-time problems of the edited file, each with the drawn element it is on."""
    name, content = request.form.get("file", ""), request.form.get("content", "")
    try:
        _check_named(name)
        problems = modeling.validate(tx(), actor_or_401(), key, version, name, content)
    except EngineError as exc:
        return _json_error(exc, name, content)
    return jsonify({"errors": problems})


@bp.post("/<key>/<int:version>/draft")
@owner_required
def save_draft(key: str, version: int) -> Response:
    name, content = request.form.get("file", ""), request.form.get("content", "")
    try:
        _check_named(name)
        saved = modeling.save_draft(tx(), actor_or_401(), key, version, name, content)
    except EngineError as exc:
        return _json_error(exc, name, content)
    commit()
    return jsonify({"id": saved.id, "message": _("Draft saved.")})


@bp.post("/<key>/<int:version>/deploy")
@owner_required
def deploy_new(key: str, version: int) -> Response:
    """Deploy the edited file with the version's other files; refused with every problem."""
    name, content = request.form.get("file", ""), request.form.get("content", "")
    note = request.form.get("note", "")
    try:
        _check_named(name)
        deployed = modeling.deploy_edit(tx(), actor_or_401(), key, version, name, content, note)
    except EngineError as exc:
        return _json_error(exc, name, content)
    commit()
    own = next((d for d in deployed if d.key == key), deployed[0])
    if own.new:
        message = _("Deployed as version %(version)s.", version=own.version)
    else:
        message = _("Nothing changed: version %(version)s stays the newest.", version=own.version)
    flash(message, "success")
    return jsonify({"message": message, "location": url_for("modeler.process", key=key)})


def _json_error(exc: EngineError, name: str, content: str) -> Response:
    status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
    body: dict[str, Any] = {"error": exc.code, "message": exc.message}
    if isinstance(exc, DeploymentFailed):
        body["errors"] = modeling.problems_of(exc, name, content)
    response = jsonify(body)
    response.status_code = status
    return response


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._-") or "model.bpmn"


def _see_other(target: str) -> Any:
    return redirect(target, code=303)
