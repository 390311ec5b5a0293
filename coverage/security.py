"""What every page sends and every form carries: security headers, session cookies, CSRF tokens.

Signed links (briefings, follow-up lists) hold their token in the URL, so pages never send a
Referer (`no-referrer`) and are never framed. HSTS goes with https only.
"""
from __future__ import annotations

import hmac
import secrets
from hashlib import sha256
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, request, session
from flask.sessions import SecureCookieSessionInterface

from coverage.errors import refuse

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; "
       "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer made once per secret key rather than at
    every request (Twilio's webhooks carry no cookie, and pay for it at each call otherwise)."""

    def __init__(self) -> None:
        self._signers: dict[object, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._signers:
            self._signers = {key: super().get_signing_serializer(app)}
        return self._signers[key]


def init_app(app: Flask) -> None:
    https = any(url.startswith("https://") for url in app.config.get("RELEVE_PUBLIC_URLS") or ())
    # Flask's defaults are set already: these are assigned, not defaulted.
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=https,
                      SESSION_COOKIE_NAME="releve_session")
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = 256 * 1024  # Twilio's biggest webhook is a few kB
    app.session_interface = _Sessions()
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    headers = response.headers
    for name, value in security_headers(response.mimetype or "", request.is_secure):
        headers.setdefault(name, value)
    return response


def security_headers(mimetype: str, is_secure: bool) -> list[tuple[str, str]]:
    """The headers every answer carries: never framed, sniffed or referred; pages not stored."""
    found = list(_ALWAYS)
    if is_secure:
        found.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    if mimetype == "text/html":
        found.append(("Cache-Control", "no-store"))  # pages show patients' contacts
    return found


_ALWAYS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
           ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"))


def csrf_token(scope: str = "") -> str:
    """The token a form carries: bound to the session, or to a signed link (`scope`) for pages
    that have no session."""
    if scope:
        key = str(current_app.config["SECRET_KEY"]).encode()
        return hmac.new(key, f"csrf:{scope}".encode(), sha256).hexdigest()
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def check_csrf(scope: str = "") -> None:
    """Refuse (400) a form posted without the right token."""
    posted = request.form.get("csrf_token", "")
    expected = csrf_token(scope) if scope else str(session.get("csrf", ""))
    if not posted or not expected or not hmac.compare_digest(posted, expected):
        refuse(400, "form_expired")
