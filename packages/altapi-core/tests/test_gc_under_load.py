"""Garbage-collector runs under a real server with many keep-alive connections.

A request whose objects outlive it (held by a reference cycle, or by something the
server keeps per connection) makes the collector run every few dozen requests under
load, which shows as tail latency. The count is compared with a hand-written ASGI app
served the same way, in the same test, with GC tuning off so both run at the
interpreter's default thresholds. Under Granian the app runs in the worker process
its supervisor forks; the count is read from the app itself (GET /gc), so it is the
worker's whichever server runs it.
"""

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

SERVED = """
import gc

import ujson

from altapi_core import AltAPI, JSONResponse

runs = [0]
gc.callbacks.append(lambda phase, info: phase == "start" and runs.__setitem__(0, runs[0] + 1))


async def raw(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/gc":
        body = ujson.dumps({"runs": runs[0]}).encode()
    else:
        body = ujson.dumps({"id": int(scope["path"].rsplit("/", 1)[1])}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


app = AltAPI()


@app.get("/users/{id:int}")
async def user(id: int):
    return JSONResponse({"id": id})


@app.get("/gc")
async def gc_runs():
    return JSONResponse({"runs": runs[0]})
"""

CONNECTIONS = 64
REQUESTS = 10_000

COMMANDS = {
    "uvicorn": ["uvicorn", "--no-access-log"],
    "granian": ["granian", "--interface", "asgi", "--workers", "1", "--no-access-log"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _load(port: int, connections: int, requests: int) -> None:
    """`requests` GETs spread over `connections` keep-alive connections, all at once."""

    async def one_connection(count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(count):
            writer.write(f"GET /users/{i} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            length = next(
                int(line.split(b":")[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            )
            await reader.readexactly(length)
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*[one_connection(requests // connections) for _ in range(connections)])


def _collections_per_10k(tmp_path, server: str, target: str) -> float:
    (tmp_path / "served.py").write_text(textwrap.dedent(SERVED))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", *COMMANDS[server], target, "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "ALTAPI_GC_TUNING": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/gc"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.05)  # polling a starting process; bounded by the deadline
        asyncio.run(_load(port, CONNECTIONS, CONNECTIONS * 4))  # warm-up
        before = httpx.get(url, timeout=5).json()["runs"]
        asyncio.run(_load(port, CONNECTIONS, REQUESTS))
        after = httpx.get(url, timeout=5).json()["runs"]
        return (after - before) * 10_000 / REQUESTS
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("server", list(COMMANDS))
def test_altapi_runs_the_collector_no_more_than_raw_asgi_under_keep_alive_load(tmp_path, server):
    raw = _collections_per_10k(tmp_path, server, "served:raw")
    altapi = _collections_per_10k(tmp_path, server, "served:app")
    # Before the request stopped outliving itself (uvicorn): about 60-140 per 10k requests.
    assert altapi <= raw + 5, f"AltAPI {altapi} collections per 10k requests, raw ASGI {raw}"
