"""Reading a calendar from a file or an address: within a time and a size limit, and never a login
page taken for an empty calendar. The addresses are served by a small web server on 127.0.0.1."""
from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from calendars.errors import NotACalendar, SourceUnreachable
from calendars.sources import fetch, normalize_location, read_source
from config.settings import CalendarSource
from tests.builders import PARIS, practice, settings, vcalendar, vevent
from tests.reading import Reading

CALENDAR = vcalendar(vevent("Congés", date(2026, 12, 27), date(2027, 1, 9)))
LOGIN_PAGE = b"<!DOCTYPE html>\n<html><head><title>Connexion</title></head><body>Connectez-vous</body></html>\n"
NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
DURING_VACATION = datetime(2026, 12, 28, 10, tzinfo=PARIS)

Answer = Callable[["_Handler"], None]


# --- The web server ------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # for chunked answers; every answer closes its connection
    timeout = 5  # a handler never waits longer than this on a silent client
    server: _HTTPServer

    def do_GET(self) -> None:
        self.close_connection = True
        self.server.owner.requests.append(self.path)
        answer = self.server.owner.routes.get(self.path, status(404, b"Not found", "text/plain"))
        answer(self)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the tests assert on what the client sees; the access log is noise


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for every answer to end
    owner: CalendarServer

    def handle_error(self, request: object, client_address: object) -> None:
        import sys
        error = sys.exc_info()[1]
        # The client hanging up on a slow or oversized answer is expected; anything else is a bug.
        if not isinstance(error, ConnectionError):
            self.owner.errors.append(error)


class CalendarServer:
    """A web server on 127.0.0.1 whose answers each test sets: `server.routes["/cal.ics"] = calendar()`."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.requests: list[str] = []
        self.errors: list[BaseException | None] = []
        self.released = threading.Event()  # set at the end of the test: slow answers stop
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.owner = self
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def url(self, path: str = "/cal.ics") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.released.set()
        self._http.shutdown()
        self._thread.join()
        self._http.server_close()


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    running = CalendarServer()
    try:
        yield running
    finally:
        running.close()
    assert running.errors == []


@pytest.fixture(autouse=True)
def looked_up(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Host names looked up for a connection; only 127.0.0.1 and localhost ever resolve."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the tests' server is reached directly
    hosts: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        hosts.append(host)
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"the test tried to reach {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return hosts


# --- Answers the server can give ---------------------------------------------------------


def status(code: int, body: bytes = b"", content_type: str = "text/calendar; charset=utf-8",
           headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    def answer(handler: _Handler) -> None:
        handler.send_response(code)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def calendar(body: bytes = CALENDAR) -> Answer:
    return status(200, body)


def login_page() -> Answer:
    return status(200, LOGIN_PAGE, "text/html; charset=utf-8")


def redirect(location: str) -> Answer:
    return status(302, b"", "text/plain", headers=(("Location", location),))


def unannounced(body: bytes, *, chunked: bool) -> Answer:
    """An answer without Content-Length: chunked, or running until the connection closes."""
    def answer(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Connection", "close")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(body), 16 * 1024):
            piece = body[start:start + 16 * 1024]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")
    return answer


def headers_only(declared_length: int) -> Answer:
    """Announce a body, then send nothing until the test ends."""
    def answer(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Content-Length", str(declared_length))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.flush()
        handler.server.owner.released.wait(10)
    return answer


def trickle(every: float = 0.05) -> Answer:
    """Start a calendar, then send one byte every `every` seconds until the client gives up."""
    def answer(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Content-Length", "100000")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(b"BEGIN:VCALENDAR\r\n")
        while not handler.server.owner.released.wait(every):
            handler.wfile.write(b"X")
            handler.wfile.flush()
    return answer


def silence() -> Answer:
    """Read the request and never answer."""
    def answer(handler: _Handler) -> None:
        handler.server.owner.released.wait(10)
    return answer


def stall_after(first_bytes: bytes) -> Answer:
    """Send the headers and the start of the body, then nothing."""
    def answer(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Content-Length", str(len(CALENDAR)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(first_bytes)
        handler.wfile.flush()
        handler.server.owner.released.wait(10)
    return answer


# --- Addresses ---------------------------------------------------------------------------


def test_a_calendar_address_gives_the_calendar_bytes(server):
    server.routes["/cal.ics"] = calendar()

    assert read_source(server.url()) == CALENDAR


def test_a_login_page_is_an_error_not_an_empty_calendar(server):
    server.routes["/cal.ics"] = login_page()

    with pytest.raises(NotACalendar) as error:
        read_source(server.url())

    assert error.value.source == server.url()
    assert "web page" in error.value.message
    assert "iCal" in error.value.fix


def test_an_empty_answer_is_an_error_not_an_empty_calendar(server):
    server.routes["/cal.ics"] = calendar(b"")

    with pytest.raises(NotACalendar) as error:
        read_source(server.url())

    assert "empty" in error.value.message


def test_an_answer_that_is_neither_a_calendar_nor_a_page_is_an_error(server):
    server.routes["/cal.ics"] = status(200, b'{"error": "unauthorized"}', "application/json")

    with pytest.raises(NotACalendar) as error:
        read_source(server.url())

    assert "BEGIN:VCALENDAR" in error.value.message and error.value.fix


def test_a_byte_order_mark_before_the_calendar_is_accepted(server):
    server.routes["/cal.ics"] = calendar(b"\xef\xbb\xbf" + CALENDAR)

    assert read_source(server.url()).endswith(CALENDAR)


def test_a_missing_calendar_says_the_server_answered_404_and_what_to_check(server):
    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url("/gone.ics"))

    assert "HTTP 404" in error.value.message
    assert "published" in error.value.fix


def test_a_server_error_says_the_server_answered_500(server):
    server.routes["/cal.ics"] = status(500, b"<html>Internal error</html>", "text/html")

    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url())

    assert "HTTP 500" in error.value.message


def test_a_redirect_to_the_calendar_is_followed(server):
    server.routes["/old.ics"] = redirect("/cal.ics")
    server.routes["/cal.ics"] = calendar()

    assert read_source(server.url("/old.ics")) == CALENDAR
    assert server.requests == ["/old.ics", "/cal.ics"]


def test_a_redirect_to_a_plain_http_address_elsewhere_is_refused_before_connecting(server, looked_up):
    server.routes["/cal.ics"] = redirect("http://calendar.example.org/x.ics")

    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url())

    assert "calendar.example.org" in error.value.message
    assert looked_up == ["127.0.0.1"]


def test_a_compressed_answer_is_read_uncompressed(server):
    server.routes["/cal.ics"] = status(200, gzip.compress(CALENDAR), headers=(("Content-Encoding", "gzip"),))

    assert read_source(server.url()) == CALENDAR


def test_a_compressed_answer_is_held_to_the_limit_once_uncompressed(server):
    bomb = gzip.compress(CALENDAR + b"X" * (20 * 1024 * 1024))  # about 20 kB on the wire
    server.routes["/cal.ics"] = status(200, bomb, headers=(("Content-Encoding", "gzip"),))

    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url())

    assert f"{8 * 1024 * 1024} bytes" in error.value.message


def test_a_calendar_announced_over_the_limit_is_refused_without_reading_it(server):
    server.routes["/cal.ics"] = headers_only(9 * 1024 * 1024)

    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=5)

    assert f"{9 * 1024 * 1024} bytes" in error.value.message and f"{8 * 1024 * 1024}" in error.value.message
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "until-close"])
def test_a_calendar_over_the_limit_without_a_length_is_cut_at_the_limit(server, chunked):
    server.routes["/cal.ics"] = unannounced(CALENDAR + b"X" * 300_000, chunked=chunked)

    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), max_bytes=100_000)

    assert "100000 bytes" in error.value.message


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "until-close"])
def test_a_calendar_without_a_length_under_the_limit_is_read(server, chunked):
    body = vcalendar(*(vevent(f"Fermeture {n}", date(2027, 1, 1)) for n in range(2000)))
    server.routes["/cal.ics"] = unannounced(body, chunked=chunked)

    assert read_source(server.url()) == body


def test_a_server_that_never_answers_is_given_up_after_the_timeout(server):
    server.routes["/cal.ics"] = silence()

    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=0.5)

    assert "0.5 seconds" in error.value.message
    assert time.monotonic() - started < 2


def test_a_server_that_stops_in_the_middle_is_given_up_after_the_timeout(server):
    server.routes["/cal.ics"] = stall_after(CALENDAR[:40])

    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=0.5)

    assert "0.5 seconds" in error.value.message
    assert time.monotonic() - started < 2


def test_a_server_that_trickles_bytes_is_given_up_after_the_timeout(server):
    server.routes["/cal.ics"] = trickle(every=0.05)

    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=0.5)

    assert "0.5 seconds" in error.value.message
    assert time.monotonic() - started < 2


def test_an_address_where_nothing_listens_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on that port any more.
    with pytest.raises(SourceUnreachable) as error:
        read_source(f"http://127.0.0.1:{port}/cal.ics", timeout=1)

    assert error.value.message == "its server refuses the connection"
    assert "ConnectionError" not in str(error.value) and error.value.is_temporary


def headers_trickled(every: float = 0.05) -> Answer:
    """Send the status line, then the headers a byte at a time, never finishing them."""
    def answer(handler: _Handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        handler.wfile.flush()
        while not handler.server.owner.released.wait(every):
            handler.wfile.write(b"X")
            handler.wfile.flush()
    return answer


def test_a_server_that_trickles_its_headers_is_cut_off_at_the_deadline(server):
    server.routes["/cal.ics"] = headers_trickled(every=0.05)

    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=0.5)

    assert "0.5 seconds" in error.value.message
    assert time.monotonic() - started < 2


def test_an_unchanged_calendar_costs_its_server_a_304(server):
    served: list[dict[str, str]] = []

    def answer(handler: _Handler) -> None:
        served.append(dict(handler.headers))
        if handler.headers.get("If-None-Match") == '"v1"':
            status(304, b"")(handler)
        else:
            status(200, CALENDAR, headers=(("ETag", '"v1"'), ("Last-Modified", "Tue, 24 Nov 2026 09:00:00 GMT")))(handler)

    server.routes["/cal.ics"] = answer
    first = fetch(server.url(), timeout=2)
    second = fetch(server.url(), etag=first.etag, last_modified=first.last_modified, timeout=2)

    assert first.data == CALENDAR and first.etag == '"v1"'
    assert second.data is None  # unchanged: the copy held is still the calendar
    assert served[1]["If-None-Match"] == '"v1"' and served[1]["If-Modified-Since"] == first.last_modified


@pytest.mark.parametrize(("code", "retry_after", "wait"), [(429, "120", 120.0), (503, None, None), (500, None, None)])
def test_too_many_requests_or_a_server_error_is_temporary_with_the_servers_delay(server, code, retry_after, wait):
    headers = (("Retry-After", retry_after),) if retry_after else ()
    server.routes["/cal.ics"] = status(code, b"busy", "text/plain", headers=headers)

    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=2)

    assert error.value.is_temporary and error.value.retry_after == wait
    assert f"HTTP {code}" in error.value.message


def test_a_calendar_that_is_no_longer_public_says_so(server):
    server.routes["/cal.ics"] = status(403, b"Forbidden", "text/plain")

    with pytest.raises(SourceUnreachable) as error:
        read_source(server.url(), timeout=2)

    assert "not public" in error.value.message and not error.value.is_temporary


def test_a_plain_http_address_elsewhere_is_refused_without_connecting(looked_up):
    with pytest.raises(SourceUnreachable) as error:
        read_source("http://calendar.example.org/x.ics")

    assert "http://" in error.value.message and "https://" in error.value.fix
    assert looked_up == []


@pytest.mark.parametrize("location", ["ftp://calendar.example.org/x.ics", "file:///etc/passwd"])
def test_other_kinds_of_address_are_refused_without_connecting(looked_up, location):
    with pytest.raises(SourceUnreachable):
        read_source(location)

    assert looked_up == []


def test_a_webcal_address_is_read_over_https():
    assert normalize_location("webcal://calendar.example.org/x.ics") == "https://calendar.example.org/x.ics"
    assert normalize_location("  WEBCAL://calendar.example.org/x.ics\n") == "https://calendar.example.org/x.ics"
    assert normalize_location("https://calendar.example.org/x.ics") == "https://calendar.example.org/x.ics"


def test_a_webcal_address_on_this_computer_is_not_read_over_plain_http(server):
    server.routes["/cal.ics"] = calendar()

    with pytest.raises(SourceUnreachable):
        read_source(f"webcal://127.0.0.1:{server.port}/cal.ics", timeout=2)

    assert "/cal.ics" not in server.requests  # the TLS handshake failed; nothing was served


def test_a_malformed_address_is_an_unreachable_source_not_a_crash():
    with pytest.raises(SourceUnreachable):
        read_source("https://[::1/cal.ics")


# --- Files -------------------------------------------------------------------------------


def test_a_calendar_file_gives_its_bytes(tmp_path):
    path = tmp_path / "cabinet.ics"
    path.write_bytes(CALENDAR)

    assert read_source(str(path)) == CALENDAR


def test_a_missing_file_says_so_and_how_relative_paths_are_read(tmp_path):
    with pytest.raises(SourceUnreachable) as error:
        read_source(str(tmp_path / "absent.ics"))

    assert error.value.message == "no such file"
    assert "relative path" in error.value.fix


def test_a_folder_is_not_a_calendar_file(tmp_path):
    with pytest.raises(SourceUnreachable) as error:
        read_source(str(tmp_path))

    assert "folder" in error.value.message and ".ics" in error.value.fix


def test_a_file_over_the_limit_is_refused_with_its_size(tmp_path):
    path = tmp_path / "huge.ics"
    path.write_bytes(CALENDAR + b"X" * 5000)

    with pytest.raises(SourceUnreachable) as error:
        read_source(str(path), max_bytes=1000)

    assert f"{path.stat().st_size} bytes" in error.value.message and "1000" in error.value.message


def test_a_device_that_never_ends_is_not_read():
    # /dev/zero says its size is 0; reading it whole would never end.
    with pytest.raises(SourceUnreachable) as error:
        read_source("/dev/zero")

    assert "not a regular file" in error.value.message


def test_a_login_page_saved_as_a_file_is_an_error(tmp_path):
    path = tmp_path / "cabinet.ics"
    path.write_bytes(LOGIN_PAGE)

    with pytest.raises(NotACalendar) as error:
        read_source(str(path))

    assert error.value.source == str(path) and error.value.fix


# --- The registry keeps the last good copy of an address -------------------------------


def _registry_on(url: str, cache: Path) -> Reading:
    return Reading(settings(practice(calendars=(CalendarSource(url),))), cache_dir=cache)


@pytest.mark.parametrize("failure", [login_page(), status(500, b"oops", "text/plain"), silence()],
                         ids=["login-page", "http-500", "silence"])
def test_an_address_that_starts_failing_keeps_its_last_good_copy_even_after_a_restart(server, tmp_path, failure):
    server.routes["/cal.ics"] = calendar()
    registry = _registry_on(server.url(), tmp_path / "cache")
    registry.refresh(NOW)
    assert registry.answer("dupont", DURING_VACATION).is_open is False
    assert registry.state("dupont").sources[0].error is None

    server.routes["/cal.ics"] = failure
    registry.read = lambda location: read_source(location, timeout=0.5)
    registry.refresh(NOW)

    assert registry.answer("dupont", DURING_VACATION).is_open is False
    status_now = registry.state("dupont").sources[0]
    assert status_now.error is not None and status_now.is_in_use and status_now.read_at == NOW

    restarted = _registry_on(server.url(), tmp_path / "cache")
    restarted.read = lambda location: read_source(location, timeout=0.5)
    restarted.refresh(NOW)

    assert restarted.answer("dupont", DURING_VACATION).is_open is False
    assert restarted.answer("dupont", DURING_VACATION).reason == "Congés"
    assert restarted.state("dupont").sources[0].error is not None


def test_the_error_clears_when_the_address_answers_a_calendar_again(server, tmp_path):
    server.routes["/cal.ics"] = calendar()
    registry = _registry_on(server.url(), tmp_path / "cache")
    registry.refresh(NOW)
    server.routes["/cal.ics"] = login_page()
    registry.refresh(NOW)
    assert registry.state("dupont").sources[0].error is not None

    server.routes["/cal.ics"] = calendar(vcalendar(vevent("Formation", date(2026, 12, 28))))
    later = datetime(2026, 11, 25, 10, tzinfo=UTC)
    registry.refresh(later)

    status_now = registry.state("dupont").sources[0]
    assert status_now.error is None and status_now.read_at == later
    assert registry.answer("dupont", DURING_VACATION).reason == "Formation"


def test_an_address_never_read_is_an_error_with_no_copy_in_use(server, tmp_path):
    server.routes["/cal.ics"] = login_page()
    registry = _registry_on(server.url(), tmp_path / "cache")
    registry.refresh(NOW)

    status_now = registry.state("dupont").sources[0]
    assert isinstance(status_now.error, NotACalendar) and not status_now.is_in_use
    assert registry.answer("dupont", DURING_VACATION).is_open  # nothing known: no invented closure
