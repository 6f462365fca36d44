"""Who is asking, and what they may open: the one place pages (and the API) decide access.

Each request's actor is found by the identity loaders in turn: the session cookie first; the API adds a
bearer-token loader with ``add_identity_loader``. Views ask ``current_actor()`` or are wrapped in
``login_required`` / ``roles_required``; what a person may see of tasks and evaluations is decided by the
engine (``engine.tasks``, ``engine.evaluations``), which answers "not found" for anything not theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import Forbidden, Unauthorized

from engine import users
from engine.errors import NotFound
from engine.users import Actor
from webapp.transaction import begin_writing, tx

F = TypeVar("F", bound=Callable[..., Any])
IdentityLoader = Callable[[], Actor | None]
SESSION_KEY = "user"


def _from_session() -> Actor | None:
    if request.path.startswith("/api/"):
        return None  # the API is stateless: a bearer token or nobody (and so no cross-site requests)
    username = session.get(SESSION_KEY)
    if not isinstance(username, str):
        return None
    try:
        return users.actor(tx(), username)
    except NotFound:  # the account was removed or deactivated since: sign the session out
        session.pop(SESSION_KEY, None)
        return None


def add_identity_loader(app: Flask, loader: IdentityLoader) -> None:
    """Add a way to recognise the caller (tried after the session cookie)."""
    app.extensions["kinerja_identity"].append(loader)


def current_actor() -> Actor | None:
    """The person making this request, or None when nobody is signed in."""
    if "actor" not in g:
        found = None
        for loader in current_app.extensions["kinerja_identity"]:
            found = loader()
            if found is not None:
                break
        if found is not None and found.read_only:
            begin_writing()  # an auditor's every look is logged: the request writes, even a GET
        g.actor = found
    actor: Actor | None = g.actor
    return actor


def actor_or_401() -> Actor:
    """The signed-in actor; otherwise Unauthorized (pages turn it into the login page)."""
    found = current_actor()
    if found is None:
        raise Unauthorized()
    return found


def sign_in(actor: Actor) -> None:
    """Start a fresh session for this person (a new session, so a planted one is useless)."""
    language = session.get("lang")
    session.clear()
    session[SESSION_KEY] = actor.username
    if language:
        session["lang"] = language
    session.permanent = True
    g.actor = actor


def sign_out() -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.actor = None


def safe_target(target: str | None) -> str:
    """A page of this site to go back to ('/tasks/3?x=1'); anything else is the inbox."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and target.startswith("/")
        if local and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("inbox.index")


def login_required(view: F) -> F:
    """Only for signed-in people; others go to the login page and come back afterwards."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            if request.path.startswith("/api/"):
                raise Unauthorized()
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only for people holding one of these roles; anyone else signed in gets 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is not None and not actor.roles.intersection(roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorate


def init_app(app: Flask) -> None:
    app.extensions["kinerja_identity"] = [_from_session]

    @app.context_processor
    def _actor() -> dict[str, Any]:
        return {"actor": current_actor()}
