"""Faults over a real uvicorn server on a loopback port: each test is a bug once found."""

from __future__ import annotations

import logging
import re
import socket

import pytest

from altapi_core import AltAPI, PlainTextResponse
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread


def _exchange(url: str, raw: bytes, *, timeout: float = 5.0) -> bytes:
    """Send raw bytes on one connection and read until the server closes it or goes quiet."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(raw)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
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


def test_the_test_client_still_raises_the_exception_behind_a_500(app):
    with pytest.raises(RuntimeError, match="boom"):
        TestClient(app).get("/boom")
    assert TestClient(app, raise_server_exceptions=False).get("/boom").status_code == 500
