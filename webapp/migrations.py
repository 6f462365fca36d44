"""Moving running instances of a process onto another version: the dry run, then the migration.

The dry run is a GET and changes nothing; the migration is a POST of the chosen instances, each
moved in its own transaction by the engine. Process owners only, like the modeler.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.exceptions import BadRequest

from engine import migration
from webapp.access import actor_or_401
from webapp.modeler import owner_required
from webapp.transaction import engine, finish, tx

bp = Blueprint("migrations", __name__, url_prefix="/modeler")


def _version() -> int:
    version = request.values.get("to", type=int)
    if version is None or version < 1:
        raise BadRequest("to: choose the version to move instances to")
    return version


@bp.get("/<key>/migrate")
@owner_required
def plan(key: str) -> str:
    """Dry run: per running instance, whether each active task exists in the target version."""
    version = _version()
    moves = migration.plan(tx(), actor_or_401(), key, version)
    return render_template("modeler/migrate.html", key=key, version=version, moves=moves, done=False)


@bp.post("/<key>/migrate")
@owner_required
def run(key: str) -> str:
    """Migrate the chosen instances, one transaction each; those that cannot move stay as they were."""
    version = _version()
    try:
        chosen = [int(i) for i in request.form.getlist("instance")]
    except ValueError:
        raise BadRequest("instance: not an instance number") from None
    actor = actor_or_401()
    finish()  # each instance moves in a transaction of its own
    moves = migration.migrate_each(engine(), actor, key, version, chosen) if chosen else []
    return render_template("modeler/migrate.html", key=key, version=version, moves=moves, done=True)
