"""Signing in: the host's administrator, and each practice's users.

- The administrator's credentials come from the environment (RELEVE_ADMIN_PASSWORD may be a
  werkzeug hash, `flask --app app admin hash-password` makes one; a plain password is hashed at
  start). It sees every practice and manages users.
- A practice's users (`coverage.store.users`) sign in with a password, or with a link emailed to
  them (valid `LINK_LIFETIME`, once; opened by a button, so that a mail scanner fetching the link
  does not use it up). A user sees its own practice only: `practice_required` answers 404 for any
  other, as for one that does not exist.
Failed attempts and link requests are counted in the database, so every web process shares the
limit: after `MAX_FAILURES` for one name or one address within `WINDOW`, sign-in waits. Sessions
are signed cookies, HttpOnly, SameSite=Lax, Secure over https, for `SESSION_LIFETIME`; a user
removed or disabled is signed out at its next request.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, wraps
from typing import Any, TypeVar

import click
from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.cli import AppGroup
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from coverage.errors import speak
from coverage.flask import at_first_request, snapshots, store
from coverage.privacy import masked
from coverage.security import check_csrf
from coverage.store import StoreUnavailable, outbox, signins, users
from coverage.wording.labels import words

logger = logging.getLogger(__name__)

blueprint = Blueprint("auth", __name__, template_folder="templates")
View = TypeVar("View", bound=Callable[..., Any])

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
LINK_LIFETIME = timedelta(minutes=20)
MIN_PASSWORD = 10
_HASHES = ("scrypt:", "pbkdf2:")


@dataclass(frozen=True)
class Who:
    """The signed-in person: the administrator (every practice), or a user of one practice."""

    name: str
    is_admin: bool
    practice_id: str | None = None
    user_id: int | None = None

    def may_see(self, practice_id: str) -> bool:
        return self.is_admin or self.practice_id == practice_id


def init_app(app: Flask) -> None:
    password = app.config.get("RELEVE_ADMIN_PASSWORD")
    if password and not str(password).startswith(_HASHES):
        password = generate_password_hash(str(password))
    app.config["RELEVE_ADMIN_PASSWORD"] = password
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    app.extensions["releve.sign_in_failures"] = {}  # when the database cannot count them
    app.register_blueprint(blueprint)
    app.cli.add_command(admin_cli)
    app.cli.add_command(users_cli)
    def say_when_nobody_can_sign_in() -> None:
        if not app.config.get("RELEVE_ADMIN_USER") and not app.testing:
            logger.warning("no administrator is configured (RELEVE_ADMIN_USER, RELEVE_ADMIN_PASSWORD): nobody can "
                           "sign in to see the contact log and the outbox")

    at_first_request(app, say_when_nobody_can_sign_in)


def current_user() -> Who | None:
    """Who is signed in, checked against the store for a practice's user (removed: signed out)."""
    if "who" in g:
        found: Who | None = g.who
        return found
    who: Who | None = None
    name, role = session.get("user"), session.get("role")
    if name and role == "admin":
        who = Who(str(name), True)
    elif name and role == "practice":
        try:
            with store().begin() as connection:
                row = users.by_id(connection, int(session.get("uid", 0)))
        except StoreUnavailable:
            # The signed cookie says who it is; the page itself says the database is down.
            g.who = Who(str(name), False, str(session.get("practice", "")), int(session.get("uid", 0)))
            return g.who  # type: ignore[no-any-return]
        if row is not None and row.practice_id == session.get("practice"):
            who = Who(row.email, False, row.practice_id, row.id)
        else:
            session.clear()
    g.who = who
    return who


def signed_in_user() -> str | None:
    """The administrator's name when the administrator is signed in."""
    who = current_user()
    return who.name if who and who.is_admin else None


def _to_sign_in() -> Response:
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def admin_required(view: View) -> View:
    """The host's pages (every practice, users): the signed-in administrator only."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        who = current_user()
        if who is None:
            return _to_sign_in()
        if not who.is_admin:
            return redirect(url_for("practice.page", practice_id=who.practice_id))
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def practice_required(view: View) -> View:
    """A practice's pages (`practice_id` in the URL): its users and the administrator. Another
    practice's user gets 404, as for a practice that does not exist: nothing says it is there."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        who = current_user()
        if who is None:
            return _to_sign_in()
        asked = str(kwargs.get("practice_id", ""))
        if not who.may_see(asked):
            logger.warning("user %s of %s asked for another practice's page", who.user_id, who.practice_id)
            _speak_for(who.practice_id or "")
            abort(404)
        _speak_for(asked)  # its pages, and their errors, in the practice's language
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _speak_for(practice_id: str) -> None:
    try:
        language = snapshots().directory().practices.get(practice_id, {}).get("language")
    except Exception:  # noqa: BLE001 - without the directory, the browser's language stands
        language = None
    if language:
        speak(str(language))


def _now() -> datetime:
    at: datetime = current_app.config["RELEVE_CLOCK"]()
    return at


@blueprint.get("/sign-in")
def sign_in() -> str:
    return render_template("sign_in.html", next=_safe_next(request.args.get("next")), error=None)


@blueprint.post("/sign-in")
def sign_in_post() -> Any:
    check_csrf()
    name = request.form.get("user", "").strip()[:320]  # an email address may be that long
    password = request.form.get("password", "")
    keys = _keys(name)
    if _failures(keys) >= MAX_FAILURES:
        logger.warning("sign-in refused for %s: too many failed attempts", masked(name) if name else "(no name)")
        return _too_many(_safe_next(request.form.get("next")))
    expected_user = current_app.config.get("RELEVE_ADMIN_USER")
    expected_hash = current_app.config.get("RELEVE_ADMIN_PASSWORD")
    is_admin_name = bool(expected_user) and secrets.compare_digest(name, str(expected_user or ""))
    user = None if is_admin_name or "@" not in name else _user_by_email(name)
    # Always one hash check, even for a wrong name: the answer takes as long either way.
    if is_admin_name:
        ok = check_password_hash(expected_hash or _dummy_hash(), password)
    else:
        ok = check_password_hash(user.password_hash if user is not None and user.password_hash else _dummy_hash(),
                                 password) and user is not None and bool(user.password_hash)
    _record(keys, ok)
    if not ok:
        nobody = not expected_user and not _any_user()
        return render_template("sign_in.html", next=_safe_next(request.form.get("next")),
                               error="no_admin" if nobody else "wrong"), 401
    return _signed_in(name, user, request.form.get("next"))


def _keys(name: str) -> list[str]:
    """What the sign-in limit counts: the name (or address) tried, and where from."""
    user = name.lower()
    if len(user) > 150:  # the key is kept in 200 characters: a long address is counted by its digest
        user = "sha256:" + hashlib.sha256(user.encode("utf-8")).hexdigest()
    return [f"user:{user}", f"ip:{request.remote_addr or '?'}"]


def _too_many(next_path: str) -> tuple[str, int]:
    return render_template("sign_in.html", next=next_path, error="too_many",
                           minutes=int(WINDOW.total_seconds() // 60)), 429


def _signed_in(name: str, user: Any, next_path: str | None) -> Response:
    session.clear()
    session.permanent = True
    if user is None:
        session["user"], session["role"] = name, "admin"
        logger.info("the administrator signed in")
        return redirect(_safe_next(next_path) or url_for("coverage.home"), code=303)
    session["user"], session["role"], session["practice"], session["uid"] = user.email, "practice", \
        user.practice_id, user.id
    logger.info("user %s of %s signed in", user.id, user.practice_id)
    return redirect(_safe_next(next_path) or url_for("practice.page", practice_id=user.practice_id), code=303)


@blueprint.post("/sign-in/link")
def ask_for_link() -> Any:
    """Email a sign-in link to a practice's user. The answer is the same whether the address has
    an account or not; the requests count towards the same limit as failed passwords."""
    check_csrf()
    email = request.form.get("email", "").strip()[:320]
    keys = _keys(email)
    if _failures(keys) >= MAX_FAILURES:
        return _too_many("")
    _record(keys, False)
    user = _user_by_email(email) if "@" in email else None
    if user is not None:
        token = secrets.token_urlsafe(32)
        now = _now()
        base = str(current_app.config.get("RELEVE_BASE_URL") or request.host_url).rstrip("/")
        link = f"{base}{url_for('auth.use_link', token=token)}"
        w = words(_language_of(user.practice_id))
        try:
            with store().begin() as connection:
                users.add_link(connection, user.id, token, now + LINK_LIFETIME)
                outbox.queue_email(connection, practice_id=user.practice_id, purpose="sign_in", to=user.email,
                                   subject=w["link_subject"], text=w["link_text"].format(
                                       link=link, minutes=int(LINK_LIFETIME.total_seconds() // 60)),
                                   html=None, at=now)
        except StoreUnavailable:
            abort(503, description="sign-in links cannot be sent right now; try again in a few minutes")
        current_app.extensions["releve.dispatcher"].wake()
        logger.info("sign-in link sent to user %s", user.id)
    return render_template("sign_in.html", next="", error=None, link_sent=True)


@blueprint.get("/sign-in/link/<token>")
def use_link(token: str) -> str:
    """The emailed link: a button signs in (a GET changes nothing, so a scanner uses up nothing)."""
    return render_template("sign_in_link.html", token=token)


@blueprint.post("/sign-in/link/<token>")
def use_link_post(token: str) -> Any:
    check_csrf()
    try:
        with store().begin() as connection:
            user_id = users.use_link(connection, token, _now())
            user = users.by_id(connection, user_id) if user_id is not None else None
    except StoreUnavailable:
        abort(503, description="signing in cannot be done right now; try again in a few minutes")
    if user is None:
        return render_template("sign_in.html", next="", error="link_gone"), 410
    return _signed_in(user.email, user, None)


def _user_by_email(email: str) -> Any:
    try:
        with store().begin() as connection:
            return users.by_email(connection, email)
    except StoreUnavailable:
        return None


def _any_user() -> bool:
    try:
        with store().begin() as connection:
            return bool(users.of_practice(connection))
    except StoreUnavailable:
        return False


def _language_of(practice_id: str) -> str:
    try:
        return snapshots().view(practice_id).practice.language
    except (KeyError, StoreUnavailable):
        return "fr-FR"


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


users_cli = AppGroup("users", help="A practice's users: who signs in to its page.")


class UserRefused(ValueError):
    """Why a user cannot be added: its English for the command line, `said(language)` for a page."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.said("en-US"))

    def said(self, language: str) -> str:
        found: str = words(language)[f"user_{self.key}"].format(**self.values)
        return found


def make_user(email: str, practice_id: str, name: str, password: str | None, by: str) -> int:
    """Add a user of a practice (the command line and the administrator's page): UserRefused with
    the reason when it cannot be."""
    if "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        raise UserRefused("not_an_email", email=email)
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserRefused("short_password", count=MIN_PASSWORD)
    directory = snapshots().directory(peek=True)
    if practice_id not in directory.practices:
        if not directory.practices:
            raise UserRefused("no_practice_yet", practice=practice_id)
        raise UserRefused("no_practice", practice=practice_id, known=", ".join(sorted(directory.practices)))
    with store().begin() as connection:
        try:
            return users.add_user(connection, email=email, practice_id=practice_id, name=name,
                                  password_hash=generate_password_hash(password) if password else None,
                                  at=_now(), by=by)
        except users.UserExists:
            raise UserRefused("exists", email=users.normal_email(email)) from None


@users_cli.command("add")
@click.argument("email")
@click.option("--practice", "practice_id", required=True, help="The practice's id in the configuration.")
@click.option("--name", default="", help="How the user is shown (who ticked a patient off).")
@click.option("--password", is_flag=True, help="Ask for a password (otherwise: sign-in by emailed link only).")
def add_user_command(email: str, practice_id: str, name: str, password: bool) -> None:
    """Add a user of a practice."""
    secret = click.prompt("Password", hide_input=True, confirmation_prompt=True) if password else None
    try:
        make_user(email, practice_id, name, secret, "command line")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{users.normal_email(email)} can sign in to {practice_id}"
               + (" with a password or an emailed link" if secret else " with an emailed link"))


@users_cli.command("list")
def list_users_command() -> None:
    """Every active user, by practice."""
    with store().begin() as connection:
        for row in users.of_practice(connection):
            click.echo(f"{row.practice_id}\t{row.email}\t{row.name}\t{'password' if row.password_hash else 'link'}")


@users_cli.command("remove")
@click.argument("email")
def remove_user_command(email: str) -> None:
    """Disable a user: it is signed out at its next request and cannot sign in again."""
    with store().begin() as connection:
        row = users.by_email(connection, email)
        if row is None:
            raise click.ClickException(f"no active user {users.normal_email(email)}")
        users.disable(connection, row.id, _now())
    click.echo(f"{row.email} can no longer sign in")
