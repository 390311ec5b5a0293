"""Web processes as a host runs them (gunicorn), and calls signed exactly as Twilio signs them."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "bench-auth-token-0123456789abcdef"
BARE_APP = "tests.bench.bare:app"   # a bare Flask handler returning fixed TwiML


def signed_call(public_url: str, to: str, caller: str = "+33698765432") -> bytes:
    """One incoming-call webhook, as raw HTTP bytes, signed for `public_url`/twilio/voice."""
    url = f"{public_url}/twilio/voice"
    form = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": "CA" + secrets.token_hex(16),
            "CallStatus": "ringing", "Called": to, "Caller": caller, "Direction": "inbound", "From": caller,
            "To": to}
    body = urlencode(form).encode()
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    host = urlsplit(public_url).netloc
    head = (f"POST /twilio/voice HTTP/1.1\r\nHost: {host}\r\nUser-Agent: TwilioProxy/1.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


def exchange(port: int, raw: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send one request, read the whole answer (the server closes): status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(raw)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_gunicorn(environment: dict[str, str], port: int, app: str = "app:create_app()",
                   workers: int = 2) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--backlog", "2048", "--log-level", "warning", app],
                            cwd=ROOT, env={**os.environ, **environment, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    try:
        _, errors = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
    return errors.decode(errors="replace")


def first_answer(port: int, raw: bytes, started: float, limit: float = 60.0) -> float:
    """Seconds from `started` to the first call answered by the practice's own decision (not the
    fallback, which a web process answers with when it does not know the practice yet)."""
    while time.perf_counter() - started < limit:
        try:
            status, body = exchange(port, raw)
        except OSError:
            time.sleep(0.005)
            continue
        if status == 200 and b"/fallback" not in body:
            return time.perf_counter() - started
        time.sleep(0.005)
    raise RuntimeError(f"no call answered within {limit:g} s")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pids: list[int], limit: float = 120.0) -> float:
    """Wait until the processes use less than 5% of a core over half a second (a web process
    works out every practice's answer in the background after it starts): a measurement must not
    share the machine with that. Seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(0.5)
        if sum(cpu_seconds(pid) for pid in pids) - before < 0.025 * len(pids):
            break
    return time.perf_counter() - started
