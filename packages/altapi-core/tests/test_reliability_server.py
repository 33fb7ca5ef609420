"""Faults over a real uvicorn server on a loopback port: each test is a bug once found."""

from __future__ import annotations

import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from altapi_core import AltAPI, PlainTextResponse
from altapi_core.background import BackgroundTask, BackgroundTasks
from altapi_core.fileresponse import FileResponse
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread
from altapi_di import Depends


def _exchange(url: str, raw: bytes, *, timeout: float = 5.0) -> bytes:
    """Send raw bytes on one connection and read until the server closes it or goes quiet.

    The reading starts at once, so an answer sent before the whole request (a 400 to a
    flood) is read even if the server then closes the connection with bytes unread.
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:

        def send_all() -> None:
            try:
                sock.sendall(raw)
            except OSError:  # the server answered early and closed
                pass

        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        sender.join(timeout)
        return received


def _get(path: str, *, close: bool = False) -> bytes:
    connection = b"close" if close else b"keep-alive"
    return (
        b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\nConnection: " + connection + b"\r\n\r\n"
    )


def _statuses(raw: bytes) -> list[int]:
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


@pytest.fixture
def app() -> AltAPI:
    app = AltAPI()

    @app.get("/boom")
    async def boom():
        raise RuntimeError("boom")

    @app.get("/ok")
    async def ok():
        return PlainTextResponse("ok")

    return app


def test_a_500_keeps_the_connection_for_the_next_request(app, caplog):
    with caplog.at_level(logging.ERROR, logger="altapi.error"), serve_in_thread(app) as url:
        # Two requests sent at once on one kept-alive connection: the second was lost.
        raw = _exchange(url, _get("/boom") + _get("/ok", close=True))
    assert _statuses(raw) == [500, 200]
    assert raw.endswith(b"ok")
    assert "RuntimeError: boom" in caplog.text  # logged by the framework, not lost


def test_a_500_from_asgi_middleware_keeps_the_connection_too(caplog):
    from altapi_core.middleware.base import BaseMiddleware, Middleware

    class Failing(BaseMiddleware):
        async def __call__(self, scope, receive, send):
            if scope["type"] == "http" and scope["path"] == "/boom":
                raise RuntimeError("middleware boom")
            await self.app(scope, receive, send)

    app = AltAPI(middleware=[Middleware(Failing)])

    @app.get("/ok")
    async def ok():
        return PlainTextResponse("ok")

    with caplog.at_level(logging.ERROR, logger="altapi.error"), serve_in_thread(app) as url:
        raw = _exchange(url, _get("/boom") + _get("/ok", close=True))
    assert _statuses(raw) == [500, 200]
    assert "middleware boom" in caplog.text


def test_the_test_client_still_raises_the_exception_behind_a_500(app):
    with pytest.raises(RuntimeError, match="boom"):
        TestClient(app).get("/boom")
    assert TestClient(app, raise_server_exceptions=False).get("/boom").status_code == 500


def _post(path: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def test_a_multipart_body_without_its_closing_boundary_is_400():
    app = AltAPI()

    @app.post("/form")
    async def form(request):
        data = await request.form()
        return PlainTextResponse(",".join(f"{k}={v}" for k, v in data.items()))

    part = b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    unfinished = part + b'--b\r\nContent-Disposition: form-data; name="b"\r\n\r\n2'
    with serve_in_thread(app) as url:
        whole = _exchange(
            url, _post("/form", part + b"--b--\r\n", "multipart/form-data; boundary=b")
        )
        cut = _exchange(url, _post("/form", unfinished, "multipart/form-data; boundary=b"))
        cut_after_part = _exchange(url, _post("/form", part, "multipart/form-data; boundary=b"))
    assert _statuses(whole) == [200] and whole.endswith(b"a=1")
    assert _statuses(cut) == [400] and b"closing boundary" in cut
    assert _statuses(cut_after_part) == [400]


@pytest.mark.parametrize(
    ("range_header", "statuses"),
    [
        ("bytes=0-\u00b2", {416}),  # a superscript two: str.isdigit() says yes, int() no
        ("bytes=\u0663-4", {416}),  # an Arabic-Indic three
        ("bytes=0-" + "9" * 5000, {206}),  # past the end: the rest of the file
        ("bytes=" + "9" * 5000 + "-", {416}),
        ("bytes=-" + "9" * 5000, {206}),  # the last N bytes, N more than the file
        ("bytes=" + "0" * 5000 + "1-2", {206}),
    ],
)
def test_a_hostile_range_is_416_or_a_range_never_500(tmp_path, range_header, statuses):
    path = tmp_path / "file.bin"
    path.write_bytes(bytes(range(100)))
    app = AltAPI()

    @app.get("/file")
    async def file():
        return FileResponse(path)

    request = f"GET /file HTTP/1.1\r\nHost: t\r\nRange: {range_header}\r\nConnection: close\r\n\r\n"
    with serve_in_thread(app) as url:
        raw = _exchange(url, request.encode())
    assert set(_statuses(raw)) == statuses


def test_a_flood_of_urlencoded_fields_is_400_after_the_first_chunks():
    app = AltAPI()

    @app.post("/form")
    async def form(request):
        return PlainTextResponse(str(len(await request.form())))

    flood = b"ab&" * (10 * 1024 * 1024 // 3)
    with serve_in_thread(app) as url:
        raw = _exchange(url, _post("/form", flood, "application/x-www-form-urlencoded"))
    assert _statuses(raw) == [400] and b"Too many form fields" in raw


@pytest.mark.anyio
async def test_the_urlencoded_parser_stops_reading_at_the_field_limit():
    from altapi_core.exceptions import HTTPException
    from altapi_core.formparsers import FormLimits, parse_urlencoded

    read = []

    async def chunks():
        for _ in range(160):  # 10 MB in 64 KiB chunks
            read.append(1)
            yield b"ab&" * (64 * 1024 // 3)

    with pytest.raises(HTTPException) as refused:
        await parse_urlencoded(chunks(), FormLimits(max_fields=1000))
    assert refused.value.status_code == 400
    assert len(read) == 1  # the rest of the body was never asked for


@pytest.mark.anyio
@pytest.mark.parametrize("body", [b"a=1&b=%20x+y&&c&d=", b"&&&", b"k=" + b"v" * 300 + b"&z=9"])
async def test_the_urlencoded_parser_gives_the_same_fields_whatever_the_chunking(body):
    from altapi_core.formparsers import FormLimits, parse_urlencoded

    async def chunked(size):
        for i in range(0, len(body), size):
            yield body[i : i + size]

    whole = await parse_urlencoded(chunked(len(body)), FormLimits())
    for size in (1, 2, 7):
        assert list((await parse_urlencoded(chunked(size), FormLimits())).multi_items()) == list(
            whole.multi_items()
        )


def _bytes_read_by_this_process() -> int:
    with open("/proc/self/io") as io:
        lines = io.read().splitlines()
    for line in lines:
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_an_abandoned_download_stops_reading_the_file(tmp_path):

    path = tmp_path / "large.bin"
    with open(path, "wb") as file:
        file.truncate(256 * 1024 * 1024)  # sparse: 256 MiB that cost no disk
    finished = threading.Event()
    app = AltAPI()

    @app.get("/large")
    async def large():
        return FileResponse(path, background=BackgroundTask(finished.set))

    with serve_in_thread(app) as url:
        host, port = url.removeprefix("http://").split(":")
        before = _bytes_read_by_this_process()
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(_get("/large"))
            received = 0
            while received < 64 * 1024:
                received += len(sock.recv(65536))
        assert finished.wait(10)
        read = _bytes_read_by_this_process() - before
    assert read < 32 * 1024 * 1024, f"{read / 2**20:.0f} MiB read for a client that left"


SSE_SERVER = """
import sys
from altapi_core import AltAPI
from altapi_core.sse import EventSourceResponse

app = AltAPI()


@app.get("/events")
async def events():
    async def forever():
        yield "first"
        while True:
            import asyncio

            await asyncio.sleep(3600)
            yield "never"

    return EventSourceResponse(forever())


app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=int(sys.argv[2]), access_log=False,
        graceful_timeout=30, log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_open_event_stream_ends_promptly_on_sigterm(tmp_path, workers):
    script = tmp_path / "server.py"
    script.write_text(SSE_SERVER)
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(script), str(port), str(workers)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                stream = httpx.stream("GET", f"http://127.0.0.1:{port}/events", timeout=20)
                response = stream.__enter__()
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)  # polling for the port to open, bounded by the deadline
        lines = response.iter_lines()
        assert next(lines) == "data: first"
        server.send_signal(signal.SIGTERM)
        rest = list(lines)  # ends when the server ends the stream; raises if cut off
        stream.__exit__(None, None, None)
        # 30 s of graceful timeout: a stream holding the shutdown would keep it that long.
        # (uvicorn alone re-raises the SIGTERM once it has shut down cleanly)
        assert server.wait(timeout=10) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert all(line == "" or line.startswith(":") for line in rest)


def test_a_client_leaving_during_the_body_read_closes_dependencies_and_drops_tasks():
    seen: list[str] = []
    closed = threading.Event()

    async def resource():
        seen.append("opened")
        try:
            yield "resource"
        except Exception as exc:
            seen.append(f"thrown {type(exc).__name__}")
            raise
        finally:
            seen.append("closed")
            closed.set()

    app = AltAPI()

    @app.post("/upload")
    async def upload(request, tasks: BackgroundTasks, res=Depends(resource)):
        tasks.add_task(seen.append, "task ran")
        await request.body()  # the client leaves half-way through
        return PlainTextResponse("unreachable")

    head = b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
    with serve_in_thread(app) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(head + b"x" * 1000)
            for _ in range(100):  # wait (bounded) until the handler has opened the resource
                if seen:
                    break
                time.sleep(0.01)
        assert closed.wait(5)
    assert seen == ["opened", "thrown ClientDisconnect", "closed"]  # the task never ran


def _drip(url: str, head: bytes, *, seconds: float) -> bytes:
    """Send `head`, then one body byte every 50 ms until the server answers (or `seconds`)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=0.05) as sock:
        sock.sendall(head)
        received = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:  # nothing yet: one more byte
                try:
                    sock.sendall(b"x")
                except OSError:
                    break
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break  # the server closed the connection
            received += chunk
        return received


def test_a_client_dripping_its_body_gets_408_and_the_connection_closes():
    app = AltAPI(body_timeout=0.5)

    @app.post("/upload")
    async def upload(request):
        return PlainTextResponse(str(len(await request.body())))

    head = b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
    with serve_in_thread(app) as url:
        started = time.monotonic()
        raw = _drip(url, head, seconds=10)
        took = time.monotonic() - started
        # a steady body is not cut: the deadline moves on with what arrives
        steady = _exchange(url, _post("/upload", b"y" * 5_000_000, "application/octet-stream"))
    assert _statuses(raw) == [408] and b"connection: close" in raw.lower()
    assert took < 10  # the server closed the connection; the client did not give up
    assert _statuses(steady) == [200] and steady.endswith(b"5000000")


def test_the_body_timeout_is_on_by_default_and_can_be_turned_off():
    assert AltAPI().body_timeout == 30.0
    assert AltAPI(body_timeout=None).body_timeout is None
