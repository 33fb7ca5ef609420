"""Instructions per request through a real uvicorn server (valgrind's callgrind).

    python benchmarks/e2e/instructions.py [--apps "raw ASGI,AltAPI,..."] [--path /]

The wall-clock figures of run.py move with whatever else the machine runs; an
instruction count does not. Each app is served by uvicorn (httptools, uvloop, one
process) under callgrind and sent N and then N + 2000 requests over 8 keep-alive
connections (two server runs); the difference / 2000 is what one request costs the
whole server process, start-up cancelled out. Needs valgrind (Debian). Slow: a
minute or so per app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _apps import FACTORIES

BENCHMARKS = Path(__file__).resolve().parents[1]
CONNECTIONS = 8
BASE, EXTRA = 400, 2000


async def _load(port: int, path: str, total: int) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: */*\r\n\r\n".encode()

    async def one_connection(count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*[one_connection(total // CONNECTIONS) for _ in range(CONNECTIONS)])


def served_instructions(app: str, path: str, requests: int, port: int) -> int:
    """Instructions of a whole uvicorn run that answered `requests` requests."""
    with tempfile.NamedTemporaryFile(suffix=".out") as out:
        process = subprocess.Popen(
            [
                *("valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"),
                *(sys.executable, "-m", "uvicorn", f"_apps:{FACTORIES[app].__name__}"),
                *("--factory", "--port", str(port), "--http", "httptools", "--loop", "uvloop"),
                *("--no-access-log", "--log-level", "warning"),
            ],
            cwd=BENCHMARKS,
            env={**os.environ, "PYTHONPATH": str(BENCHMARKS), "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 300
        while True:  # the first answer (counted in both runs alike)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                    r.read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server under valgrind did not start") from None
                time.sleep(0.2)
        asyncio.run(_load(port, path, requests))
        process.send_signal(2)  # SIGINT: uvicorn stops, valgrind writes its counts
        _, stderr = process.communicate(timeout=300)
        found = re.search(r"Collected : (\d+)", stderr)
        if found is None:
            raise RuntimeError(stderr[-2000:])
        return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", default="raw ASGI,AltAPI,BlackSheep,Falcon,Starlette")
    parser.add_argument("--path", default="/")
    args = parser.parse_args()
    port = 9300
    results = {}
    for app in args.apps.split(","):
        counts = []
        for requests in (BASE, BASE + EXTRA):
            port += 1
            counts.append(served_instructions(app, args.path, requests, port))
        results[app] = (counts[1] - counts[0]) / EXTRA
    base = results.get("raw ASGI")
    print(f"| app (uvicorn, GET {args.path}) | instructions/request | ratio to raw ASGI |")
    print("|---|---:|---:|")
    for app, count in results.items():
        ratio = f"{count / base:.2f}" if base else "-"
        print(f"| {app} | {count:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
