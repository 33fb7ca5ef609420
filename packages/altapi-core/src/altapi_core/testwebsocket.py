"""`WebSocketTestSession`: talk to an app's WebSocket handler from a synchronous test."""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import anyio
import ujson
from anyio.from_thread import BlockingPortal

from .types import ASGIApp, Message, Scope
from .websockets import WebSocketDisconnect

__all__ = ["WebSocketDenialResponse", "WebSocketTestSession"]


class WebSocketDenialResponse(Exception):
    """The app answered the handshake with an HTTP response instead of accepting."""

    def __init__(self, status_code: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        super().__init__(f"WebSocket handshake denied with HTTP {status_code}")
        self.status_code = status_code
        self.headers = headers
        self.content = body


class WebSocketTestSession:
    """Returned by `TestClient.websocket_connect(path)`; use it as a context manager."""

    def __init__(self, app: ASGIApp, scope: Scope, portal: BlockingPortal) -> None:
        self._app = app
        self._scope = scope
        self._portal = portal
        self._error: BaseException | None = None
        self._closed = False
        self._task: Future[None] | None = None
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] = []

    def __enter__(self) -> WebSocketTestSession:
        self._to_app, self._app_inbox = self._portal.call(memory_streams)
        self._from_app_send, self._from_app = self._portal.call(memory_streams)
        self._task = self._portal.start_task_soon(self._run)
        try:
            self.send({"type": "websocket.connect"})
            message = self.receive()
            if message["type"] == "websocket.accept":
                self.accepted_subprotocol = message.get("subprotocol")
                self.extra_headers = list(message.get("headers") or [])
                return self
            if message["type"] != "websocket.http.response.start":
                raise AssertionError(f"unexpected first message {message!r}")
            body = b""
            while True:
                part = self.receive()
                body += part.get("body", b"")
                if not part.get("more_body", False):
                    break
            raise WebSocketDenialResponse(message["status"], message.get("headers", []), body)
        except BaseException:
            self._closed = True
            self._join()
            raise

    def __exit__(self, *exc_info: Any) -> None:
        try:
            if not self._closed:
                self.close(1000)
        finally:
            self._join()
        if self._error is not None:
            raise self._error

    async def _run(self) -> None:
        async def receive() -> Message:
            return await self._app_inbox.receive()

        async def send(message: Message) -> None:
            await self._from_app_send.send(message)

        try:
            await self._app(self._scope, receive, send)
        except BaseException as exc:
            self._error = exc
        finally:
            await self._from_app_send.send({"type": "altapi.testclient.app_finished"})

    def _join(self) -> None:
        if self._task is not None:
            task, self._task = self._task, None
            try:
                task.result(timeout=30)
            finally:
                streams = (self._to_app, self._app_inbox, self._from_app_send, self._from_app)
                self._portal.call(close_streams, *streams)

    # --- sending ---------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        self._portal.call(self._to_app.send, message)

    def send_text(self, data: str) -> None:
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self.send({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any, mode: str = "text") -> None:
        text = ujson.dumps(data, ensure_ascii=False)
        if mode == "binary":
            self.send_bytes(text.encode())
        else:
            self.send_text(text)

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        self._closed = True
        self.send({"type": "websocket.disconnect", "code": code, "reason": reason})

    # --- receiving -------------------------------------------------------------------------

    def receive(self) -> Message:
        message: Message = self._portal.call(self._from_app.receive)
        kind = message["type"]
        if kind == "altapi.testclient.app_finished":
            self._closed = True
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            raise WebSocketDisconnect(1006, "the handler ended without closing")
        if kind == "websocket.close":
            self._closed = True
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason") or "")
        return message

    def receive_text(self) -> str:
        return self._expect(lambda m: m["text"])

    def receive_bytes(self) -> bytes:
        return self._expect(lambda m: m["bytes"])

    def receive_json(self, mode: str = "text") -> Any:
        if mode == "binary":
            return ujson.loads(self.receive_bytes())
        return ujson.loads(self.receive_text())

    def _expect(self, pick: Callable[[Message], Any]) -> Any:
        message = self.receive()
        if message["type"] != "websocket.send":
            raise AssertionError(f"expected a websocket.send message, got {message!r}")
        return pick(message)


async def close_streams(*streams: Any) -> None:
    for stream in streams:
        stream.close()


def memory_streams() -> tuple[Any, Any]:
    """An unbounded (send, receive) pair, made inside the portal's event loop."""
    return anyio.create_memory_object_stream[Message](math.inf)
