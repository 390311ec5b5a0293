"""Every Twilio webhook checks X-Twilio-Signature against the public URL Twilio called."""
from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


def public_url() -> str:
    """The URL Twilio called, as it called it: behind a reverse proxy, the configured public base.

    Without `service.public_url`, the request's own scheme and host are used; set
    RELEVE_BEHIND_PROXY=1 so that X-Forwarded-Proto and X-Forwarded-Host give the ones Twilio saw.
    The query string is taken raw: Twilio signs it as sent (`%2C` stays `%2C`), and request.url
    would decode it.
    """
    base = current_app.config.get("RELEVE_PUBLIC_URL") or request.host_url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.script_root + request.path + (f"?{query}" if query else "")


def _is_valid(token: str, url: str, signature: str) -> bool:
    """The URL as received first (the usual case, one HMAC); then RequestValidator's own check,
    which also tries the URL with and without its port, as Twilio may sign either."""
    validator = RequestValidator(token)
    if hmac.compare_digest(validator.compute_signature(url, request.form), signature):
        return True
    return bool(validator.validate(url, request.form, signature))


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
        if not signature or not _is_valid(token, public_url(), signature):
            logger.warning("refused %s: missing or wrong X-Twilio-Signature for %s", request.path, public_url())
            abort(403)
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]
