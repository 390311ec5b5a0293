"""Reading a calendar's bytes from a local file or an https:// address, within limits.

An address is read politely: with the `ETag` and `Last-Modified` of the copy already held, so an
unchanged calendar costs its server a 304; a 429 or a 5xx is marked temporary, with the server's
`Retry-After` when it gives one, so the caller backs off. Every read has one deadline for the
whole request, headers included: a server that trickles its headers a byte at a time is cut off
like one that trickles its body.
"""
from __future__ import annotations

import socket
import stat
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as urllib3_errors
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from calendars.errors import NotACalendar, SourceUnreachable
from calendars.messages import Said

MAX_BYTES = 8 * 1024 * 1024  # a practice's calendar over years is well under 1 MB
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Releve/1 (+https://github.com/releve/releve) calendar reader"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Fetched:
    """What an address answered: the bytes, or None when unchanged since the copy held."""

    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def normalize_location(location: str) -> str:
    """webcal:// is how calendar apps write https:// subscription addresses."""
    location = location.strip()
    if location[:9].lower() == "webcal://":
        return "https://" + location[len("webcal://"):]
    return location


def read_source(location: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> bytes:
    """The raw iCalendar bytes of a file or address; raise CalendarError when unusable."""
    fetched = fetch(location, timeout=timeout, max_bytes=max_bytes)
    assert fetched.data is not None
    return fetched.data


def fetch(location: str, *, etag: str | None = None, last_modified: str | None = None,
          timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> Fetched:
    """Read a file or address; with `etag`/`last_modified`, an unchanged address gives data=None.
    Raise CalendarError when it cannot be used."""
    location = normalize_location(location)
    if "://" not in location:
        data = _read_file(location, max_bytes)
        check_is_calendar(location, data)
        return Fetched(data)
    fetched = _read_url(location, timeout, max_bytes, etag, last_modified)
    if fetched.data is not None:
        check_is_calendar(location, fetched.data)
    return fetched


def check_is_calendar(location: str, data: bytes) -> None:
    """Refuse what is not iCalendar data, so that a login page never reads as 'no closures'."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if not head:
        raise NotACalendar(location, Said("empty"), Said("empty.fix"))
    if head.upper().startswith(b"BEGIN:VCALENDAR"):
        return
    if head.startswith(b"<"):
        raise NotACalendar(location, Said("web_page"), Said("web_page.fix"))
    raise NotACalendar(location, Said("not_ical"), Said("not_ical.fix"))


def _read_file(location: str, max_bytes: int) -> bytes:
    path = Path(location).expanduser()
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise SourceUnreachable(location, Said("folder"), Said("folder.fix"))
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe: its size says nothing, it may never end
            raise SourceUnreachable(location, Said("not_regular"), Said("not_regular.fix"))
        if info.st_size > max_bytes:
            raise SourceUnreachable(location, Said("file_too_large", size=info.st_size, limit=max_bytes))
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceUnreachable(location, Said("no_such_file"), Said("no_such_file.fix")) from None
    except OSError as exc:
        raise SourceUnreachable(location, Said("unreadable_file", detail=exc.strerror or str(exc))) from None


def _check_address(url: str, source: str) -> None:
    """Refuse, before any connection, what is neither https:// nor plain http:// on this computer."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # urlsplit refuses a broken [IPv6] host
        raise SourceUnreachable(source, Said("bad_address"), Said("bad_address.fix")) from None
    if parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK):
        return
    if url == source:
        raise SourceUnreachable(source, Said("scheme", scheme=parts.scheme), Said("scheme.fix"))
    raise SourceUnreachable(source, Said("redirect", target=f"{parts.scheme}://{host}"), Said("redirect.fix"))


# -- one deadline for the whole request ---------------------------------------------------------

_deadline = threading.local()


def _watch(connection: HTTPConnection) -> None:
    """Shut the connection's socket when the request's deadline passes, whatever it is waiting
    for: a read timeout only bounds each wait, and a byte every few seconds never meets one."""
    at: float | None = getattr(_deadline, "at", None)
    sock = getattr(connection, "sock", None)
    if at is None or sock is None:
        return

    def cut() -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    timer = threading.Timer(max(at - time.monotonic(), 0.0), cut)
    timer.daemon = True
    timer.start()
    _deadline.timers.append(timer)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    adapter = _WatchedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _read_url(url: str, timeout: float, max_bytes: int, etag: str | None, last_modified: str | None) -> Fetched:
    _check_address(url, url)

    def check_redirect(answer: requests.Response, **kwargs: Any) -> requests.Response:
        # requests follows redirects itself: each hop must obey the same rule as the address.
        if answer.is_redirect:
            try:
                _check_address(urljoin(answer.url, answer.headers["Location"]), url)
            except SourceUnreachable:
                answer.close()
                raise
        return answer

    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    _deadline.at, _deadline.timers = deadline, []
    try:
        with _session() as session, session.get(url, stream=True, timeout=(min(timeout, 5.0), timeout),
                                                headers=headers, hooks={"response": check_redirect}) as answer:
            if answer.status_code == 304:
                return Fetched(None, etag, last_modified)
            if answer.status_code != 200:
                raise _http_error(url, answer)
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise SourceUnreachable(url, Said("too_large", size=int(declared), limit=max_bytes))
            chunks, size = [], 0
            # read1 returns what has arrived instead of waiting for a whole chunk, so the deadline is
            # checked as bytes trickle in; the socket timeout bounds each wait.
            while chunk := answer.raw.read1(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    raise SourceUnreachable(url, Said("too_large_streamed", limit=max_bytes))
                if time.monotonic() > deadline:
                    raise _too_slow(url, timeout)
                chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _too_slow(url, timeout)
            return Fetched(b"".join(chunks), answer.headers.get("ETag"), answer.headers.get("Last-Modified"))
    except SourceUnreachable:
        raise
    except (requests.Timeout, urllib3_errors.TimeoutError):
        raise _too_slow(url, timeout) from None
    except (urllib3_errors.HTTPError, requests.RequestException, OSError) as exc:
        if time.monotonic() >= deadline:  # the watchdog cut it
            raise _too_slow(url, timeout) from None
        raise _unreachable(url, exc) from None
    finally:
        for timer in _deadline.timers:
            timer.cancel()
        _deadline.at, _deadline.timers = None, []


def _too_slow(url: str, timeout: float) -> SourceUnreachable:
    return SourceUnreachable(url, Said("too_slow", seconds=f"{timeout:g}"), Said("too_slow.fix"), is_temporary=True)


def _http_error(url: str, answer: requests.Response) -> SourceUnreachable:
    code = answer.status_code
    if code == 429 or code >= 500:
        return SourceUnreachable(url, Said("http_busy" if code == 429 else "http_failing", code=code),
                                 Said("http_later.fix"),
                                 is_temporary=True, retry_after=_retry_after(answer.headers.get("Retry-After")))
    if code in (401, 403):
        return SourceUnreachable(url, Said("http_private", code=code), Said("http_private.fix"))
    return SourceUnreachable(url, Said("http", code=code), Said("http.fix"))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait, from a Retry-After of seconds or of an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(parsedate_to_datetime(text).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _unreachable(url: str, exc: BaseException) -> SourceUnreachable:
    """A network failure in words, with what to do about it (never a Python class name)."""
    text = repr(exc)
    if isinstance(exc, requests.exceptions.SSLError) or "SSL" in text or "CERTIFICATE" in text.upper():
        return SourceUnreachable(url, Said("certificate"), Said("certificate.fix"), is_temporary=True)
    if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return SourceUnreachable(url, Said("no_such_host"), Said("no_such_host.fix"), is_temporary=True)
    if "Connection refused" in text or "ConnectionRefused" in text:
        return SourceUnreachable(url, Said("refused"), Said("refused.fix"), is_temporary=True)
    if isinstance(exc, (urllib3_errors.ProtocolError, requests.exceptions.ChunkedEncodingError)):
        return SourceUnreachable(url, Said("cut_off"), Said("cut_off.fix"), is_temporary=True)
    return SourceUnreachable(url, Said("unreachable"), Said("unreachable.fix"), is_temporary=True)
