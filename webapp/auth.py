"""Signing in and out with the engine's users; failed attempts are throttled per name and per address."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address

from engine import users
from webapp.access import current_actor, safe_target, sign_in, sign_out
from webapp.i18n import _
from webapp.security import limiter
from webapp.transaction import tx

bp = Blueprint("auth", __name__)


def _login_limits() -> str:
    return str(current_app.config["LOGIN_LIMITS"])


def _username_key() -> str:
    return "login-name:" + request.form.get("username", "").strip().lower()[:150]


def _failed(response: Response) -> bool:
    """Only failed attempts count towards the limits (a success redirects)."""
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limits, methods=["POST"], key_func=get_remote_address, deduct_when=_failed)
@limiter.limit(_login_limits, methods=["POST"], key_func=_username_key, deduct_when=_failed)
def login() -> Response | str:
    """The login form; on success a fresh session and back where the person was going."""
    if request.method == "GET":
        if current_actor() is not None:
            return redirect(safe_target(request.args.get("next")))  # type: ignore[return-value]
        return render_template("auth/login.html", username="", failed=False)
    username = request.form.get("username", "").strip()[:150]
    password = request.form.get("password", "")[:1024]
    actor = users.authenticate(tx(), username, password) if username and password else None
    if actor is None:
        page = render_template("auth/login.html", username=username, failed=True)
        return Response(page, status=401)
    sign_in(actor)
    flash(_("Welcome, %(name)s.", name=actor.display_name or actor.username), "success")
    return redirect(safe_target(request.args.get("next")), code=303)  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"), code=303)  # type: ignore[return-value]
