"""Every Twilio webhook checks X-Twilio-Signature against a URL this deployment really serves.

Twilio signs the URL it called. Checking against the request's own Host header would accept a
request Twilio signed for another host of the same account (a staging server, another app)
replayed here with that host name. So the URL is rebuilt on the configured public addresses
(`service.public_url`, one or several); behind a proxy (RELEVE_BEHIND_PROXY=1), the forwarded
scheme and host count only when the host is one of those. Without any public address, the local
default (`RELEVE_BASE_URL`, else http://127.0.0.1:5000) is the only one: `make run` and tests
work, and a real server says loudly at start that it needs one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]
from werkzeug.datastructures import MultiDict

from coverage.flask import snapshots

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])
LOCAL_DEFAULT = "http://127.0.0.1:5000"


def public_bases(*, peek: bool = False) -> tuple[str, ...]:
    """The base addresses (scheme://host[:port]) Twilio may call this deployment at: those the app
    was given, else the configuration's `service.public_url` (as the worker stored it), else the
    local default, which is said loudly once."""
    configured: tuple[str, ...] = tuple(current_app.config.get("RELEVE_PUBLIC_URLS") or ())
    known = bool(configured) or current_app.config.get("RELEVE_SETTINGS") is not None
    if not configured:
        try:
            directory = snapshots().directory(peek=peek)
            configured, known = directory.service.public_urls, known or bool(directory.practices)
        except Exception:  # noqa: BLE001 - without the directory, the local default stands
            configured = ()
    if configured:
        return configured
    local = str(current_app.config.get("RELEVE_BASE_URL") or LOCAL_DEFAULT).rstrip("/")
    # Said once the configuration is known (before the worker's first read, nobody knows yet).
    if known and not current_app.extensions.get("releve.warned_public_url"):
        current_app.extensions["releve.warned_public_url"] = True
        logger.warning("\n" + "!" * 78 + "\n  No service.public_url is configured: Twilio's signatures are checked "
                       f"against {local} only.\n  That is right for `make run`; a server Twilio calls needs "
                       "service.public_url: https://YOUR-HOST\n" + "!" * 78)
    return (local,)


def signed_urls() -> list[str]:
    """The URLs Twilio may have signed for this request, most likely first.

    The query string is taken raw: Twilio signs it as sent (`%2C` stays `%2C`), and request.url
    would decode it.
    """
    query = request.query_string.decode("latin-1")
    return urls_for(request.script_root + request.path + (f"?{query}" if query else ""),
                    request.host_url.rstrip("/"))


def urls_for(rest: str, forwarded: str) -> list[str]:
    """The URLs Twilio may have signed for a request to `rest` (path and raw query), on the
    public addresses; behind a proxy, `forwarded` (the scheme and host it forwarded) first when
    it is one of them."""
    bases = list(public_bases())
    if current_app.config.get("RELEVE_BEHIND_PROXY"):
        hosts = {urlsplit(base).hostname for base in bases}
        if urlsplit(forwarded).hostname in hosts and forwarded not in bases:
            bases.insert(0, forwarded)
    return [base + rest for base in bases]


def compute_signature(token: str, url: str, form: MultiDict[str, str]) -> str:
    """Twilio's signature of a request (HMAC-SHA1 of the URL and each parameter's name and
    values, sorted, in base64), as RequestValidator.compute_signature computes it, without its
    look-up of each parameter through exceptions: this runs on every webhook."""
    text = url + "".join(name + value for name, values in sorted(form.lists()) for value in sorted(set(values)))
    return base64.b64encode(hmac.new(token.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()).decode()


def is_signed(token: str, urls: list[str], form: MultiDict[str, str], signature: str) -> bool:
    """Whether Twilio signed `form` for one of `urls`: each URL as built first (the usual case,
    one HMAC); then RequestValidator's own check, which also tries the URL with and without its
    port, as Twilio may sign either."""
    if not signature:
        return False
    for url in urls:
        if hmac.compare_digest(compute_signature(token, url, form), signature):
            return True
    validator = RequestValidator(token)
    return any(validator.validate(url, form, signature) for url in urls)


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
        if not is_signed(token, signed_urls(), request.form, signature):
            logger.warning("refused %s: missing or wrong X-Twilio-Signature (checked against %s)", request.path,
                           ", ".join(public_bases()))
            abort(403)
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]
