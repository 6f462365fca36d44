""" "Kinerja saya": my SKP targets, realisations, the feedback I received, my ratings over time, my open
tasks; and the same page of someone else, for those who may see it (their assessors, HR, auditors)."""

from __future__ import annotations

from flask import Blueprint, render_template

from engine import evaluations, tasks, training
from engine.status import TaskScope
from webapp.access import actor_or_401, login_required
from webapp.transaction import commit, tx

bp = Blueprint("performance", __name__)


def _page(nip: str, own: bool) -> str:
    actor = actor_or_401()
    record = evaluations.of_employee(tx(), actor, nip)
    now = tx().clock.now()
    html = render_template(
        "performance/record.html",
        record=record,
        own=own,
        jp=training.ledger(tx(), nip, now.astimezone(tx().settings.tz).year),
        jp_required=training.JP_PER_YEAR,
        open_tasks=tasks.inbox(tx(), actor, TaskScope.MINE, 20).items if own else [],
        now=now,
        target_keys=evaluations.TARGET_KEYS,
        realisation_keys=evaluations.REALISATION_KEYS,
    )
    commit()  # an auditor's look is logged in this transaction
    return html


@bp.get("/performance")
@login_required
def mine() -> str:
    """My own performance record (people without an employee number have none)."""
    actor = actor_or_401()
    if actor.nip is None:
        return render_template("performance/none.html")
    return _page(actor.nip, own=True)


@bp.get("/performance/<nip>")
@login_required
def employee(nip: str) -> str:
    """An employee's record; 404 for anyone who may not see it."""
    return _page(nip[:32], own=nip == actor_or_401().nip)


@bp.get("/evaluations/<int:instance_id>")
@login_required
def evaluation(instance_id: int) -> str:
    """One evaluation with every step; 404 for anyone who may not see it."""
    employee, item = evaluations.evaluation(tx(), actor_or_401(), instance_id)
    html = render_template(
        "performance/evaluation.html", employee=employee, evaluation=item, now=tx().clock.now()
    )
    commit()  # an auditor's look is logged in this transaction
    return html
