"""Reading a calendar's bytes from a local file or an https:// address, within limits."""
from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3 import exceptions as urllib3_errors

from calendars.errors import NotACalendar, SourceUnreachable

MAX_BYTES = 8 * 1024 * 1024  # a practice's calendar over years is well under 1 MB
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Releve/1 (+https://github.com/releve/releve) calendar reader"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def normalize_location(location: str) -> str:
    """webcal:// is how calendar apps write https:// subscription addresses."""
    location = location.strip()
    if location[:9].lower() == "webcal://":
        return "https://" + location[len("webcal://"):]
    return location


def read_source(location: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> bytes:
    """The raw iCalendar bytes of a file or address; raise CalendarError when unusable."""
    location = normalize_location(location)
    data = _read_url(location, timeout, max_bytes) if "://" in location else _read_file(location, max_bytes)
    check_is_calendar(location, data)
    return data


def check_is_calendar(location: str, data: bytes) -> None:
    """Refuse what is not iCalendar data, so that a login page never reads as 'no closures'."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if not head:
        raise NotACalendar(location, "the calendar is empty (no BEGIN:VCALENDAR)",
                           "check that the address or file is the calendar's export, not an empty file")
    if head.upper().startswith(b"BEGIN:VCALENDAR"):
        return
    if head.startswith(b"<"):
        raise NotACalendar(location, "this is a web page, not a calendar (a login or error page?)",
                           "use the calendar's iCal address: Google's 'secret address in iCal format', "
                           "Outlook's published .ics link, iCloud's public calendar link")
    raise NotACalendar(location, "this is not iCalendar data (it does not start with BEGIN:VCALENDAR)",
                       "export the calendar as .ics, or use its iCal address")


def _read_file(location: str, max_bytes: int) -> bytes:
    path = Path(location).expanduser()
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise SourceUnreachable(location, "this is a folder, not a calendar file",
                                    "give the path of the .ics file itself")
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe: its size says nothing, it may never end
            raise SourceUnreachable(location, "this is not a regular file", "give the path of an .ics file")
        if info.st_size > max_bytes:
            raise SourceUnreachable(location, f"the file is {info.st_size} bytes, more than the {max_bytes} allowed")
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceUnreachable(location, "no such file", "check the path; a relative path starts from the "
                                "configuration file's folder") from None
    except OSError as exc:
        raise SourceUnreachable(location, f"cannot read the file: {exc.strerror}") from None


def _check_address(url: str, source: str) -> None:
    """Refuse, before any connection, what is neither https:// nor plain http:// on this computer."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # urlsplit refuses a broken [IPv6] host
        raise SourceUnreachable(source, "this is not a valid address", "copy the calendar's address again") from None
    if parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK):
        return
    if url == source:
        raise SourceUnreachable(source, f"{parts.scheme}:// addresses are not read",
                                "use the https:// or webcal:// address of the calendar")
    raise SourceUnreachable(source, f"the address redirects to {parts.scheme}://{host}, which is not read",
                            "use the https:// address the calendar is published at")


def _read_url(url: str, timeout: float, max_bytes: int) -> bytes:
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

    deadline = time.monotonic() + timeout
    try:
        with requests.get(url, stream=True, timeout=(min(timeout, 5.0), timeout),
                          headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
                          hooks={"response": check_redirect}) as answer:
            if answer.status_code != 200:
                raise SourceUnreachable(url, f"the server answered HTTP {answer.status_code}",
                                        "check that the address is still published and public")
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise SourceUnreachable(url, f"the calendar is {declared} bytes, more than the {max_bytes} allowed")
            chunks, size = [], 0
            # read1 returns what has arrived instead of waiting for a whole chunk, so the deadline is
            # checked as bytes trickle in; the socket timeout bounds each wait.
            while chunk := answer.raw.read1(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    raise SourceUnreachable(url, f"the calendar is more than the {max_bytes} bytes allowed")
                # The socket timeout is per read; a server that trickles must not hold us forever.
                if time.monotonic() > deadline:
                    raise SourceUnreachable(url, f"no complete answer within {timeout:g} seconds")
                chunks.append(chunk)
            return b"".join(chunks)
    except (requests.Timeout, urllib3_errors.TimeoutError):
        raise SourceUnreachable(url, f"no answer within {timeout:g} seconds") from None
    except urllib3_errors.HTTPError as exc:  # while reading the body, which requests no longer wraps
        raise SourceUnreachable(url, f"the answer could not be read to the end: {type(exc).__name__}") from None
    except requests.RequestException as exc:
        raise SourceUnreachable(url, f"cannot be reached: {type(exc).__name__}") from None
