"""The auditors' pages: search and CSV export, an instance's history with its diagram, evidence packs,
verification and the access log. Each view is logged by the engine in the view's own transaction, so
these pages write: their transaction is a writing one even for GET, and every view commits."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from engine import deploy, evidence, inspection
from engine.errors import ValidationFailed
from engine.runtime import PROJECT_ROOT
from engine.status import InstanceStatus
from webapp.access import actor_or_401, login_required
from webapp.i18n import field_error
from webapp.transaction import begin_writing, commit, tx

bp = Blueprint("audit", __name__, url_prefix="/audit")
VERIFIER = PROJECT_ROOT / "tools" / "verify_pack.py"
CSV_COLUMNS = (
    "instance_id",
    "process_key",
    "business_key",
    "nip",
    "name",
    "unit",
    "status",
    "started_at",
    "ended_at",
)
FIELD_TYPES = {"started_from": "date", "started_to": "date", "status": "enum"}


@bp.before_request
def _writing() -> None:
    begin_writing()  # each view writes its access-log row


def _processes() -> dict[str, str]:
    return {d.key: d.name or d.key for d in deploy.definitions(tx()) if d.kind == "process"}


@bp.get("")
@login_required
def search() -> Response:
    """The search form and a page of results (newest first)."""
    actor = actor_or_401()
    inspection.check_may_inspect(actor)
    page = request.args.get("page", "1")
    number = max(1, min(int(page), 100_000)) if page.isdigit() else 1
    size = int(current_app.config["PAGE_SIZE"])
    values = {k: request.args.get(k, "") for k in inspection.Query.__dataclass_fields__}
    asked = any(values.values())
    found: list[inspection.Found] = []
    total, errors, status = 0, {}, 200
    if asked:
        try:
            query = inspection.Query.parse(request.args)
            found, total = inspection.search(tx(), actor, query, size, (number - 1) * size)
            commit()
        except ValidationFailed as exc:
            errors = {
                name: [field_error(p, FIELD_TYPES.get(name, "string")) for p in problems]
                for name, problems in exc.field_errors.items()
            }
            status = 422
    html = render_template(
        "audit/search.html",
        values=values,
        asked=asked,
        found=found,
        total=total,
        page=number,
        pages=max(1, -(-total // size)),
        errors=errors,
        processes=_processes(),
        statuses=list(InstanceStatus),
        query_string={k: v for k, v in values.items() if v},
    )
    return Response(html, status=status)


@bp.get("/export.csv")
@login_required
def export() -> Response:
    """Every result of a search (up to 10,000) as CSV."""
    query = inspection.Query.parse(request.args)
    found, _total = inspection.search(tx(), actor_or_401(), query, inspection.EXPORT_LIMIT, export=True)
    commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for f in found:
        writer.writerow([_cell(getattr(f, c)) for c in CSV_COLUMNS])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="kinerja-evaluations.csv"'},
    )


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int) -> str:
    """One instance's history: the timeline, its proof, its model version and its path."""
    trail = inspection.trail(tx(), actor_or_401(), instance_id)
    commit()
    return render_template(
        "audit/instance.html",
        trail=trail,
        runs=json.dumps(trail.trace.runs),
        flows=json.dumps(trail.trace.flows),
        active=json.dumps(list(trail.trace.active)),
    )


@bp.get("/instances/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int) -> Response:
    """The BPMN XML of the exact version the instance ran under (for the diagram; part of its page)."""
    row = inspection.instance_row(tx(), actor_or_401(), instance_id)
    shown = inspection.model_version(tx(), row.definition_id).diagram
    return Response(shown.content if shown else "", mimetype="application/xml")


@bp.get("/instances/<int:instance_id>/pack.json")
@login_required
def pack(instance_id: int) -> Response:
    """The evidence pack, as a file to keep."""
    found = evidence.pack(tx(), actor_or_401(), instance_id)
    commit()
    return Response(
        json.dumps(found, indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="kinerja-evidence-{instance_id}.json"'},
    )


@bp.get("/instances/<int:instance_id>/print")
@login_required
def printable(instance_id: int) -> str:
    """The evidence pack as a page to print."""
    found = evidence.pack(tx(), actor_or_401(), instance_id)
    commit()
    for event in found["events"]:
        event["shown"] = json.dumps(json.loads(event["payload"]), indent=1, ensure_ascii=False)
    return render_template("audit/print.html", pack=found)


@bp.get("/verify_pack.py")
@login_required
def verifier() -> Response:
    """The offline verifier (Python's standard library only)."""
    inspection.check_may_inspect(actor_or_401())
    return Response(
        VERIFIER.read_text(encoding="utf-8"),
        mimetype="text/x-python",
        headers={"Content-Disposition": 'attachment; filename="verify_pack.py"'},
    )


@bp.get("/verify")
@login_required
def verify() -> str:
    """Every chain and the checkpoints, verified now."""
    result = inspection.verify_all(tx(), actor_or_401())
    commit()
    return render_template("audit/verify.html", result=result)


@bp.get("/log")
@login_required
def log() -> str:
    """Who looked at what, newest first (optionally of one instance)."""
    instance_id = request.args.get("instance", "")
    only = int(instance_id) if instance_id.isdigit() else None
    entries = inspection.accesses(tx(), actor_or_401(), only)
    commit()
    rows = [(e, json.loads(e.params)) for e in entries]
    return render_template("audit/log.html", rows=rows, instance_id=only)
