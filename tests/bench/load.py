"""Load on loopback: the most a server answers (wrk, from Debian's package, when installed; else a
Python client), and the latency of calls sent at a fixed rate whatever the answers do (an open
loop: a call waiting for the server is measured from when it was due, so a stall is not hidden)."""
from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Throughput:
    per_second: float
    answers: int
    failures: int          # not 200, or the fallback where the practice's own answer was due
    tool: str


@dataclass(frozen=True)
class Latency:
    rate: float
    sent: int
    failures: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def _lua_string(raw: bytes) -> str:
    text = raw.decode("ascii")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n") + '"'


_WRK_SCRIPT = """
local requests = {%s}
local index = 0
failures = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  index = math.random(#requests)
end

function request()
  index = index %% #requests + 1
  return requests[index]
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, "/fallback", 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("failures")
  end
  io.write(string.format("releve-failures %%d\\n", total))
end
"""


def throughput(port: int, requests: list[bytes], seconds: float = 10.0, connections: int = 8) -> Throughput:
    """The most the server answers, `connections` calls at a time, for `seconds`."""
    if shutil.which("wrk"):
        return _wrk(port, requests, seconds, connections)
    return asyncio.run(_closed_loop(port, requests, seconds, connections))


def _wrk(port: int, requests: list[bytes], seconds: float, connections: int) -> Throughput:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "calls.lua"
        script.write_text(_WRK_SCRIPT % ",\n".join(_lua_string(r) for r in requests), encoding="ascii")
        output = subprocess.run(["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds:g}s", "-s", str(script),
                                 f"http://127.0.0.1:{port}/twilio/voice"], capture_output=True, text=True,
                                check=True).stdout
    answers = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    failures = int(re.search(r"releve-failures (\d+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        failures += sum(int(n) for n in errors.groups())
    return Throughput(rate, answers, failures, "wrk")


async def _exchange(port: int, raw: bytes) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        answer = await reader.read()  # gunicorn's sync workers close after each answer
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.startswith(b"HTTP/1.1 200") and b"/fallback" not in body


async def _closed_loop(port: int, requests: list[bytes], seconds: float, connections: int) -> Throughput:
    counts = [0, 0]
    deadline = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        index = offset
        while time.perf_counter() < deadline:
            try:
                ok = await _exchange(port, requests[index % len(requests)])
            except OSError:
                ok = False
            counts[0 if ok else 1] += 1
            index += connections

    started = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(connections)))
    elapsed = time.perf_counter() - started
    return Throughput(sum(counts) / elapsed, sum(counts), counts[1], "python (install wrk for a lighter client)")


def latency(port: int, requests: list[bytes], rate: float = 1000.0, seconds: float = 10.0) -> Latency:
    """Send `rate` calls a second for `seconds`, each on time whatever the others do."""
    return asyncio.run(_open_loop(port, requests, rate, seconds))


async def _open_loop(port: int, requests: list[bytes], rate: float, seconds: float) -> Latency:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    failures = [0]

    async def one(raw: bytes, due: float) -> None:
        try:
            ok = await asyncio.wait_for(_exchange(port, raw), timeout=15)
        except (TimeoutError, OSError):
            ok = False
        latencies.append(loop.time() - due)
        if not ok:
            failures[0] += 1

    count = int(rate * seconds)
    start = loop.time() + 0.05
    tasks = []
    for index in range(count):
        due = start + index / rate
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(requests[index % len(requests)], due)))
    await asyncio.gather(*tasks)
    ordered = sorted(latencies)
    return Latency(rate, count, failures[0], statistics.median(ordered) * 1000,
                   ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, ordered[-1] * 1000)
