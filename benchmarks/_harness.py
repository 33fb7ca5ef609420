"""Shared helpers for the in-process benchmarks: drive an ASGI app without a server.

Timings are medians of several rounds, and rounds of the contenders are
interleaved so that noise from a shared machine hits them all alike. They are
CPU time of this process (`time.process_time`), not wall time: on a shared
2-core machine, wall time also counts the moments another process held the CPU.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def http_scope(method: str = "GET", path: str = "/", headers: list | None = None) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers or [(b"host", b"bench")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _receive() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict) -> None:
    pass


async def _run_requests(
    app: Any, method: str, path: str, count: int, query: bytes = b"", body: bytes = b""
) -> float:
    headers = [(b"host", b"bench")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> dict:
        return message

    start = time.process_time()
    for _ in range(count):
        scope = http_scope(method, path, headers)
        scope["query_string"] = query
        await app(scope, receive if body else _receive, _send)
    return (time.process_time() - start) / count


async def _startup(app: Any) -> None:
    """Send lifespan startup when the app wants it (builds middleware stacks)."""
    messages = [{"type": "lifespan.startup"}]
    sent: list = []

    async def receive() -> dict:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()
        return {}

    async def send(message: dict) -> None:
        sent.append(message)

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    )
    for _ in range(100):
        if sent:
            break
        await asyncio.sleep(0.001)
    task.cancel()


def compare(
    contenders: dict[str, Any],
    method: str = "GET",
    path: str = "/",
    count: int = 2000,
    rounds: int = 7,
    query: bytes = b"",
    body: bytes = b"",
) -> dict[str, float]:
    """Median microseconds per request for each ASGI app, rounds interleaved.

    `query` is the query string and `body` a JSON body sent with each request."""

    async def main() -> dict[str, float]:
        for app in contenders.values():
            await _startup(app)
            await _run_requests(app, method, path, 200, query, body)  # warm-up
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, app in contenders.items():
                samples[name].append(await _run_requests(app, method, path, count, query, body))
        return {name: statistics.median(values) * 1e6 for name, values in samples.items()}

    return asyncio.run(main())


RESULTS = Path(__file__).parent / "results"
_written: dict[Path, dict[str, Any]] = {}  # this run's tables, by file


def record(title: str, unit: str, results: dict[str, Any], baseline: str | None = None) -> None:
    """Add a table to benchmarks/results/<benchmark>.json (benchmarks/charts.py draws them);
    <benchmark> is the folder of the script being run. Each run rewrites its file."""
    path = RESULTS / f"{Path(sys.argv[0]).resolve().parent.name}.json"
    data = _written.setdefault(
        path,
        {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "tables": [],
        },
    )
    data["tables"].append({"title": title, "unit": unit, "baseline": baseline, "results": results})
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def table(title: str, results: dict[str, float], baseline: str) -> str:
    record(title, "µs/request", results, baseline)
    base = results[baseline]
    lines = [
        f"### {title}",
        "",
        "| contender | µs/request (median) | ratio to " + baseline + " |",
        "|---|---:|---:|",
    ]
    for name, value in results.items():
        lines.append(f"| {name} | {value:.2f} | {value / base:.2f}x |")
    return "\n".join(lines)


def time_call(fn: Callable[[], Any], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - start) / count


def per_call_instructions(script: str, *args: str, calls: int = 4000) -> float:
    """Instructions per call of what `script ... N` does N times, under valgrind's callgrind.

    Runs the script with N = 200 and N = 200 + `calls` and divides the difference by
    `calls`, so start-up cancels out. The counts do not move with the machine's load.
    """
    counts = []
    for n in (200, 200 + calls):
        with tempfile.NamedTemporaryFile(suffix=".out") as out:
            result = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={out.name}",
                    sys.executable,
                    script,
                    *args,
                    str(n),
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONHASHSEED": "0"},
                check=True,
            )
        found = re.search(r"Collected : (\d+)", result.stderr)
        assert found is not None, result.stderr[-2000:]
        counts.append(int(found.group(1)))
    return (counts[1] - counts[0]) / calls
