"""A stand-in of Twilio's REST API on loopback, for the real `twilio` client to talk to.

It answers `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` the way Twilio does: HTTP basic
auth with the account SID and auth token, a form with To, From (or MessagingServiceSid), Body and
StatusCallback, then 201 with the message JSON, or Twilio's error JSON. A test scripts failures per
`To` number, as a queue (`script("+336…", 500, 201)`: first a 500, then the message is accepted),
and reads what was received in `requests`.

Recordings: `DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json` answers 204 for a
recording the stand-in holds (`recordings`, filled by `add_recording`) and 404 (error 20404) for one
it does not; `script(sid, 500)` makes the next try fail. `GET …/Recordings/{Sid}.mp3` answers the
audio (audio/mpeg), or 404 with error 20404.

Transcripts (Conversational Intelligence, `https://intelligence.twilio.com/v2`): `POST
/v2/Transcripts` with `ServiceSid` (one of `intelligence_services`, else 404 error 20404) and
`Channel` (JSON naming the recording's SID in `media_properties.source_sid`: a recording the
stand-in holds, else 400 error 20001) answers 201 with the transcript, `queued`. Each `GET
/v2/Transcripts/{Sid}` moves it on, as Twilio's processing does: `in-progress`, then `completed`
with the sentences of `speech[recording]`, or `failed` when `fail_transcript(recording)` said so.
`GET …/Sentences` lists them, `DELETE …` answers 204 (404 once deleted).
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs

from coverage.wording.segments import segments

API = "/2010-04-01"
MAX_BODY = 1600

OK = 201
HANG = "hang"  # never answers (until the stand-in stops): for the client's timeout

# What Twilio answers for each error a test can script: HTTP status, message. `{to}` is the number.
ERRORS: dict[int, tuple[int, str]] = {
    20001: (400, "Invalid channel: the media source {source} cannot be found"),
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}
# A scripted answer may also be given as the HTTP status alone.
_BY_STATUS = {429: 20429, 500: 20500}


@dataclass(frozen=True)
class Received:
    """One request as the stand-in saw it."""

    method: str
    path: str
    form: dict[str, str]
    authorized: bool


class TwilioApi:
    """Start with `start()` (or `with TwilioApi(...) as api:`); `base_url` goes to the client."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.requests: list[Received] = []
        self.messages: list[dict[str, Any]] = []  # the messages accepted (201), as answered
        self.recordings: dict[str, bytes] = {}    # recording SID -> its audio
        self.intelligence_services: dict[str, str] = {}   # service SID (GA…) -> its language_code
        self.speech: dict[str, str] = {}          # recording SID -> what its transcript will say
        self.transcripts: dict[str, dict[str, Any]] = {}  # transcript SID (GT…) -> the transcript
        self._failing: set[str] = set()
        self._scripts: dict[str, deque[int | str]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting and reading ------------------------------------------------------------------

    def script(self, to: str, *answers: int | str) -> None:
        """The next answers for `to`, in order: 201, an HTTP status (429, 500), a Twilio error code
        (21610, 21211, 21617…) or HANG. Once the queue is empty, messages are accepted."""
        unknown = [a for a in answers if a not in (OK, HANG) and a not in _BY_STATUS and a not in ERRORS]
        assert not unknown, f"the stand-in cannot answer {unknown}: add them to ERRORS"
        with self._lock:
            self._scripts[to].extend(answers)

    def add_recording(self, sid: str, audio: bytes = b"ID3\x04\x00fake mp3") -> str:
        """A recording Twilio holds for the account; returns its URL as Twilio gives it in webhooks."""
        with self._lock:
            self.recordings[sid] = audio
        return f"https://api.twilio.com{API}/Accounts/{self.account_sid}/Recordings/{sid}"

    def add_service(self, language: str) -> str:
        """A Conversational Intelligence service of the account, in `language`; returns its SID."""
        sid = "GA" + secrets.token_hex(16)
        with self._lock:
            self.intelligence_services[sid] = language
        return sid

    def fail_transcript(self, recording_sid: str) -> None:
        """The next transcript of this recording ends `failed`."""
        with self._lock:
            self._failing.add(recording_sid)

    def requests_to(self, to: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.form.get("To") == to]

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- life -----------------------------------------------------------------------------------

    def start(self) -> Self:
        api = self

        class Handler(_Handler):
            stand_in = api

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Not daemon threads: server_close() then waits for every answer in flight.
        self._server.daemon_threads = False
        self._thread = threading.Thread(target=self._server.serve_forever, name="twilio-stand-in",
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases HANG answers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering ------------------------------------------------------------------------------

    def answer(self, method: str, path: str, authorization: str,
               form: dict[str, str]) -> tuple[int, dict[str, Any] | bytes]:
        authorized = authorization == "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()).decode()
        with self._lock:
            self.requests.append(Received(method, path, form, authorized))
        if not authorized:
            return _error(20003, detail="Your AccountSid or AuthToken was incorrect.")
        if path.startswith("/v2/Transcripts"):
            return self._transcripts(method, path, form)
        recordings = f"{API}/Accounts/{self.account_sid}/Recordings/"
        if path.startswith(recordings) and method == "DELETE" and path.endswith(".json"):
            return self._delete_recording(path, path[len(recordings):-len(".json")])
        if path.startswith(recordings) and method == "GET" and path.endswith(".mp3"):
            with self._lock:
                audio = self.recordings.get(path[len(recordings):-len(".mp3")])
            return (200, audio) if audio is not None else _error(20404, path=path)
        if method != "POST" or path != f"{API}/Accounts/{self.account_sid}/Messages.json":
            return _error(20404, path=path)
        to, body = form.get("To", ""), form.get("Body", "")
        if not to:
            return _error(21604)
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _error(21603)
        if not body:
            return _error(21602)
        with self._lock:
            scripted = self._scripts[to].popleft() if self._scripts[to] else OK
        if scripted == HANG:
            self._stopping.wait()
            return _error(20500)
        if scripted != OK:
            assert isinstance(scripted, int)
            return _error(_BY_STATUS.get(scripted, scripted), to=to)
        if len(body) > MAX_BODY:
            return _error(21617, to=to)
        return 201, self._accept(form)

    def _delete_recording(self, path: str, sid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            scripted = self._scripts[sid].popleft() if self._scripts[sid] else OK
            if scripted != OK:
                assert isinstance(scripted, int)
                return _error(_BY_STATUS.get(scripted, scripted), path=path)
            if self.recordings.pop(sid, None) is None:
                return _error(20404, path=path)
        return 204, {}

    def _transcripts(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")   # v2, Transcripts[, sid[, Sentences]]
        if method == "POST" and len(parts) == 2:
            with self._lock:
                language = self.intelligence_services.get(form.get("ServiceSid", ""))
            if language is None:
                return _error(20404, path=path)
            try:
                source = json.loads(form.get("Channel", "{}"))["media_properties"]["source_sid"]
            except (ValueError, KeyError, TypeError):
                return _error(20001, source="(none)")
            with self._lock:
                if source not in self.recordings:
                    return _error(20001, source=source)
                sid = "GT" + secrets.token_hex(16)
                transcript = {"account_sid": self.account_sid, "service_sid": form["ServiceSid"], "sid": sid,
                              "date_created": datetime.now(UTC).isoformat(), "date_updated": None,
                              "status": "queued", "channel": json.loads(form["Channel"]), "data_logging": False,
                              "language_code": language, "customer_key": form.get("CustomerKey"),
                              "media_start_time": None, "duration": 0, "url": f"https://intelligence.twilio.com{path}/{sid}",
                              "redaction": False, "links": {}, "_source": source,
                              "_fails": source in self._failing}
                self._failing.discard(source)
                self.transcripts[sid] = transcript
            return 201, _public(transcript)
        with self._lock:
            transcript = self.transcripts.get(parts[2]) if len(parts) >= 3 else None
            if transcript is None:
                return _error(20404, path=path)
            if method == "DELETE" and len(parts) == 3:
                del self.transcripts[parts[2]]
                return 204, {}
            if method == "GET" and len(parts) == 3:
                transcript["status"] = {"queued": "in-progress", "in-progress": "failed" if transcript["_fails"]
                                        else "completed"}.get(transcript["status"], transcript["status"])
                return 200, _public(transcript)
            if method == "GET" and parts[3:] == ["Sentences"]:
                if transcript["status"] != "completed":
                    return 200, _page(path, "sentences", [])
                said = [s.strip() + "." for s in self.speech.get(transcript["_source"], "").split(".") if s.strip()]
                return 200, _page(path, "sentences", [
                    {"media_channel": 1, "sentence_index": i, "start_time": str(3.0 * i), "end_time": str(3.0 * i + 3),
                     "transcript": text, "sid": "GX" + secrets.token_hex(16), "confidence": "0.91", "words": []}
                    for i, text in enumerate(said)])
        return _error(20404, path=path)

    def _accept(self, form: dict[str, str]) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC))  # "Tue, 24 Nov 2026 09:00:00 +0000", like Twilio
        uri = f"{API}/Accounts/{self.account_sid}/Messages/{sid}"
        message = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From") or None,
            "messaging_service_sid": form.get("MessagingServiceSid") or None,
            "num_media": "0",
            "num_segments": str(segments(form["Body"])),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": form["To"],
            "uri": f"{uri}.json",
        }
        with self._lock:
            self.messages.append(message)
        return message


def _public(transcript: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in transcript.items() if not k.startswith("_")}


def _page(path: str, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    url = f"https://intelligence.twilio.com{path}?PageSize=50&Page=0"
    return {key: items, "meta": {"page": 0, "page_size": 50, "first_page_url": url, "previous_page_url": None,
                                 "url": url, "next_page_url": None, "key": key}}


def _error(code: int, *, detail: str | None = None, **values: str) -> tuple[int, dict[str, Any]]:
    status, message = ERRORS[code]
    body: dict[str, Any] = {"code": code, "message": message.format(**values), "status": status,
                            "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    if detail:
        body["detail"] = detail
    return status, body


class _Handler(BaseHTTPRequestHandler):
    stand_in: TwilioApi
    # HTTP/1.0: one request per connection, so no handler thread outlives its answer.
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        form = {name: values[-1] for name, values in parse_qs(raw, keep_blank_values=True).items()}
        path = self.path.partition("?")[0]
        status, body = self.stand_in.answer(self.command, path, self.headers.get("Authorization", ""), form)
        is_audio = isinstance(body, bytes)
        payload = body if isinstance(body, bytes) else json.dumps(body).encode() if status != 204 else b""
        try:
            self.send_response(status)
            kind = ("audio/wav" if payload[:4] == b"RIFF" else "audio/mpeg") if is_audio else "application/json; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (its timeout): nobody to answer

    def log_message(self, format: str, *args: Any) -> None:
        pass
