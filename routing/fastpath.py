"""The incoming-call webhook, answered beside Flask's request machinery: every call makes it.

Each call to a practice starts with Twilio's POST to /twilio/voice, and a host with thousands of
practices answers hundreds a second. Flask's request context (the request object, the session,
URL matching, the hooks) costs more than Relève's own answer, which is a cached document once
the practice is known. So `IncomingCalls`, a WSGI layer around the Flask app, answers that one
webhook itself when everything is as usual: a signed form at the site's root, a number a
practice has. It checks the signature with the same functions as `routing.signature`, builds the
answer with the same function as `routing.voice.incoming_call` and sends the same security
headers. Anything else (no or a wrong signature, a query string, a number nobody has, an error
of any kind) goes to Flask untouched, body included, where the webhook answers as it always
does: 403, or TwiML that reaches someone. The fast path can decline a request, never answer it
differently.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" decoding errors, as Flask's form uses
from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.wsgi import get_host

from coverage.security import security_headers
from routing.signature import is_signed, urls_for
from routing.voice import answer_incoming
from routing.webhooks import now

logger = logging.getLogger(__name__)

PATH = "/twilio/voice"
FORM = "application/x-www-form-urlencoded"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class IncomingCalls:
    """WSGI: POST /twilio/voice answered here when it is signed and usual; the rest to `inner`."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app, self.inner = app, inner
        self.start_process: Callable[[], None] = app.extensions["releve.start_process"]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not _is_candidate(environ, self.app.config):
            return self.inner(environ, start_response)
        self.start_process()  # the spool's and the dispatcher's threads, as Flask's first request does
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return self.inner(environ, start_response)
        if not 0 < length <= (self.app.config.get("MAX_CONTENT_LENGTH") or 256 * 1024):
            return self.inner(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # Flask reads it again when the fast path declines
        environ["CONTENT_LENGTH"] = str(len(body))
        document = self._answer(environ, body)
        if document is None:
            return self.inner(environ, start_response)
        data = document.encode("utf-8")
        headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(data))),
                   *security_headers("text/xml", environ.get("wsgi.url_scheme") == "https")]
        start_response("200 OK", headers)
        return [data]

    def _answer(self, environ: dict[str, Any], body: bytes) -> str | None:
        config = self.app.config
        token = config.get("TWILIO_AUTH_TOKEN")
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        if not token or not signature:
            return None
        try:
            form: MultiDict[str, str] = MultiDict(parse_qsl(body.decode(), keep_blank_values=True,
                                                            errors="werkzeug.url_quote"))
            with self.app.app_context():
                forwarded = f"{environ.get('wsgi.url_scheme', 'http')}://{get_host(environ)}"
                if not is_signed(token, urls_for(PATH, forwarded), form, signature):
                    return None
                return answer_incoming(form, now())
        except Exception:  # noqa: BLE001 - Flask answers instead, and says what went wrong
            logger.debug("the fast path declined an incoming call", exc_info=True)
            return None


def _is_candidate(environ: dict[str, Any], config: Any) -> bool:
    return (environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST"
            and not environ.get("SCRIPT_NAME") and not environ.get("QUERY_STRING")
            and (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower() == FORM
            and not config.get("RELEVE_INSECURE_SKIP_SIGNATURE"))
