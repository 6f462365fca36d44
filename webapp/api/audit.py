"""The audit trail: verify every hash chain and the checkpoints (auditors and HR; each look is logged)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine import inspection
from webapp.api.common import blueprint, caller, fails
from webapp.api.schemas import VerificationSchema
from webapp.transaction import begin_writing, commit, tx

bp: Blueprint = blueprint("api_audit", "/audit", "The tamper-evident audit trail")


@bp.get("/verify")
@bp.response(200, VerificationSchema)
@fails(bp, 403)
def verify() -> dict[str, Any]:
    """Verify every chain; ``first_broken`` names the first event that no longer fits."""
    who = caller()
    begin_writing()  # the look is logged (auditors and HR, as on the audit pages)
    result = inspection.verify_all(tx(), who)
    commit()
    first = result.first_broken
    return {
        "ok": result.ok,
        "instances_checked": result.instances_checked,
        "chains_checked": result.chains_checked,
        "events_checked": result.events_checked,
        "first_broken": first.to_dict() if first else None,
    }
