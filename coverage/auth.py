"""Signing in: the host's administrator, with credentials from the environment.

The password is kept as a hash (RELEVE_ADMIN_PASSWORD may be a werkzeug hash, `flask --app app
admin hash-password` makes one; a plain password is hashed at start). Failed attempts are counted
in the database, so every web process shares the limit: after `MAX_FAILURES` for one name or
one address within `WINDOW`, sign-in waits. Pages that show a patient's number or words need a
signed-in user; briefing and follow-up links stay signed links, and need none.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache, wraps
from typing import Any, TypeVar

import click
from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for
from flask.cli import AppGroup
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from coverage.flask import store
from coverage.privacy import masked
from coverage.security import check_csrf
from coverage.store import StoreUnavailable, signins

logger = logging.getLogger(__name__)

blueprint = Blueprint("auth", __name__, template_folder="templates")
View = TypeVar("View", bound=Callable[..., Any])

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
_HASHES = ("scrypt:", "pbkdf2:")


def init_app(app: Flask) -> None:
    password = app.config.get("RELEVE_ADMIN_PASSWORD")
    if password and not str(password).startswith(_HASHES):
        password = generate_password_hash(str(password))
    app.config["RELEVE_ADMIN_PASSWORD"] = password
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    app.extensions["releve.sign_in_failures"] = {}  # when the database cannot count them
    app.register_blueprint(blueprint)
    app.cli.add_command(admin_cli)
    warned: list[bool] = []

    @app.before_request
    def _say_when_nobody_can_sign_in() -> None:
        if not warned and not app.config.get("RELEVE_ADMIN_USER") and not app.testing:
            warned.append(True)
            logger.warning("no administrator is configured (RELEVE_ADMIN_USER, RELEVE_ADMIN_PASSWORD): nobody can "
                           "sign in to see the contact log and the outbox")


def signed_in_user() -> str | None:
    user = session.get("user")
    return str(user) if user and session.get("role") == "admin" else None


def admin_required(view: View) -> View:
    """Pages with patients' numbers or words: the signed-in administrator only."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if signed_in_user() is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _now() -> datetime:
    at: datetime = current_app.config["RELEVE_CLOCK"]()
    return at


@blueprint.get("/sign-in")
def sign_in() -> str:
    return render_template("sign_in.html", next=_safe_next(request.args.get("next")), error=None)


@blueprint.post("/sign-in")
def sign_in_post() -> Any:
    check_csrf()
    name = request.form.get("user", "").strip()[:100]
    password = request.form.get("password", "")
    keys = [f"user:{name.lower()}", f"ip:{request.remote_addr or '?'}"]
    if _failures(keys) >= MAX_FAILURES:
        logger.warning("sign-in refused for %s: too many failed attempts", masked(name) if name else "(no name)")
        return render_template("sign_in.html", next=_safe_next(request.form.get("next")),
                               error="too_many", minutes=int(WINDOW.total_seconds() // 60)), 429
    expected_user = current_app.config.get("RELEVE_ADMIN_USER")
    expected_hash = current_app.config.get("RELEVE_ADMIN_PASSWORD")
    # Always one hash check, even for a wrong name: the answer takes as long either way.
    ok = check_password_hash(expected_hash or _dummy_hash(), password) and bool(expected_user) and \
        secrets.compare_digest(name, str(expected_user or ""))
    _record(keys, ok)
    if not ok:
        return render_template("sign_in.html", next=_safe_next(request.form.get("next")),
                               error="wrong" if expected_user else "no_admin"), 401
    session.clear()
    session.permanent = True
    session["user"], session["role"] = name, "admin"
    logger.info("the administrator signed in")
    return redirect(_safe_next(request.form.get("next")) or url_for("coverage.home"), code=303)


@blueprint.post("/sign-out")
def sign_out() -> Response:
    check_csrf()
    session.clear()
    return redirect(url_for("auth.sign_in"), code=303)


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never an address elsewhere (`//evil.example`, `https://…`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value


def _failures(keys: list[str]) -> int:
    since = _now() - WINDOW
    try:
        with store().begin() as connection:
            return signins.failures_since(connection, keys, since)
    except StoreUnavailable:
        memory: dict[str, list[datetime]] = current_app.extensions["releve.sign_in_failures"]
        return max(sum(1 for at in memory.get(key, []) if at.timestamp() >= since.timestamp()) for key in keys)


def _record(keys: list[str], ok: bool) -> None:
    try:
        with store().begin() as connection:
            signins.record_attempt(connection, keys, _now(), ok)
    except StoreUnavailable:
        if not ok:
            memory: dict[str, list[datetime]] = current_app.extensions["releve.sign_in_failures"]
            for key in keys:
                memory.setdefault(key, []).append(_now())


@cache
def _dummy_hash() -> str:
    """A hash to check a password against when there is no user: a wrong name costs the same time
    as a wrong password. Made at the first sign-in, not at import (it costs 0.1 s)."""
    return generate_password_hash(secrets.token_urlsafe(16))

admin_cli = AppGroup("admin", help="The host's administrator.")


@admin_cli.command("hash-password")
@click.password_option()
def hash_password_command(password: str) -> None:
    """Print the hash to set as RELEVE_ADMIN_PASSWORD (the password itself then stays nowhere)."""
    click.echo(generate_password_hash(password))
