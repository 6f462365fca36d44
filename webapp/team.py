""" "Tim saya": the employees a supervisor rates, each one's stage and what is late."""

from __future__ import annotations

from flask import Blueprint, render_template

from engine import team
from webapp.access import actor_or_401, login_required
from webapp.transaction import tx

bp = Blueprint("team", __name__)


@bp.get("/team")
@login_required
def overview() -> str:
    """My team, late work first."""
    people = team.members(tx(), actor_or_401())
    people.sort(key=lambda m: (not m.late, m.name))
    return render_template("team/overview.html", members=people, now=tx().clock.now())
