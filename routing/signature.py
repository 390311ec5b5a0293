"""Every Twilio webhook checks X-Twilio-Signature against the public URL Twilio called."""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


def public_url() -> str:
    """The URL Twilio called: behind a reverse proxy, the configured public base, not ours.

    Without `service.public_url`, the request's own URL is used; set RELEVE_BEHIND_PROXY=1 so that
    X-Forwarded-Proto and X-Forwarded-Host give the scheme and host Twilio saw.
    """
    base = current_app.config.get("RELEVE_PUBLIC_URL")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.script_root + request.path + (f"?{query}" if query else "")


def twilio_signed(view: View) -> View:
    """Refuse (403, nothing changed) a request that Twilio did not sign with our auth token."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if current_app.config.get("RELEVE_INSECURE_SKIP_SIGNATURE"):
            return view(*args, **kwargs)
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not token:
            logger.error("refused %s: TWILIO_AUTH_TOKEN is not set, so no request can be checked", request.path)
            abort(403)
        if not signature or not RequestValidator(token).validate(public_url(), request.form, signature):
            logger.warning("refused %s: missing or wrong X-Twilio-Signature for %s", request.path, public_url())
            abort(403)
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]
