"""The TestClient's transport: one request run through the app as the app sends it.

The app runs as a task in the client's event loop (an anyio blocking portal); the
response is returned as soon as the app sends `http.response.start`, and its body
is read chunk by chunk as the app sends it, so `client.stream()` can read an endless
response (server-sent events) and stop. Closing the response early is a client
disconnect: `receive()` answers `http.disconnect` and a later `send()` raises
`OSError`, as under a real server. Reading to the end waits for the app to return,
so background tasks have run when `client.get()` returns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from anyio.abc import TaskStatus
from anyio.from_thread import BlockingPortal

from .types import ASGIApp, Message, Scope

if TYPE_CHECKING:
    from .testclient import TestClient

_BODY_CHUNK = 64 * 1024
_NO_RESPONSE = (500, [(b"content-type", b"text/plain")])


class _Transport(httpx.BaseTransport):
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scope = self.client._scope("http", request.url, request.headers.raw)
        scope["method"] = request.method
        stack = contextlib.ExitStack()
        portal = stack.enter_context(self.client._portal())
        exchange = _Exchange(
            self.client.app,
            scope,
            request.read(),
            portal,
            stack,
            self.client.raise_server_exceptions,
        )
        try:
            status, headers = exchange.start()
        except BaseException:
            stack.close()
            raise
        # A stream, not content=, so httpx adds no header the app did not send.
        return httpx.Response(status, headers=headers, stream=exchange, request=request)


class _Exchange(httpx.SyncByteStream):
    """One request's run of the app, read by the test thread through the portal."""

    def __init__(
        self,
        app: ASGIApp,
        scope: Scope,
        body: bytes,
        portal: BlockingPortal,
        portal_owner: contextlib.ExitStack,
        raise_server_exceptions: bool,
    ) -> None:
        self.app = app
        self.scope = scope
        self.request_chunks = [body[i : i + _BODY_CHUNK] for i in range(0, len(body), _BODY_CHUNK)]
        self.portal = portal
        self.portal_owner = portal_owner  # exits a portal of this request's own on close
        self.raise_server_exceptions = raise_server_exceptions
        self.finished = False
        self.disconnected = False
        self.app_result: Future[None] | None = None

    def start(self) -> tuple[int, list[Any]]:
        """Run the app until it starts the response; its status and headers."""
        self.app_result, started = self.portal.start_task(self._run)
        return started

    async def _run(self, task_status: TaskStatus[tuple[int, list[Any]]]) -> None:
        self.response_over = anyio.Event()
        self.body_in, self.body_out = anyio.create_memory_object_stream[bytes](0)
        chunks = self.request_chunks or [b""]
        started = False

        async def receive() -> Message:
            if chunks:
                chunk = chunks.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
            await self.response_over.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal started
            if self.disconnected:
                raise OSError("the client has disconnected")
            if message["type"] == "http.response.start":
                if started:
                    raise AssertionError("http.response.start sent twice")
                started = True
                task_status.started((message["status"], list(message.get("headers", []))))
            elif message["type"] == "http.response.body":
                if not started:
                    raise AssertionError("http.response.body sent before http.response.start")
                try:
                    await self.body_in.send(message.get("body", b""))
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    raise OSError("the client has disconnected") from None
                if not message.get("more_body", False):
                    # Only once the client has the last chunk: a disconnect seen earlier
                    # (FileResponse watches for one) would cancel its sending.
                    self.response_over.set()

        async with self.body_in:
            try:
                await self.app(self.scope, receive, send)
            except BaseException:
                self.response_over.set()
                if started and self.disconnected:
                    return  # what the app raised on noticing the client left
                if self.raise_server_exceptions:
                    if not started:  # no response: no reader will close it
                        self.body_out.close()
                    raise
                if not started:
                    task_status.started(_NO_RESPONSE)
                    await self.body_in.send(b"Internal Server Error")
                return
            if not started:
                raise AssertionError("the app returned without sending a response")

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                chunk = self.portal.call(self.body_out.receive)
            except anyio.EndOfStream:
                break
            if chunk:
                yield chunk
        self.finished = True
        self._wait_for_app()

    def close(self) -> None:
        try:
            if not self.finished:  # the client stops reading: a disconnect
                self.disconnected = True
                self.portal.call(self._disconnect)
                self._wait_for_app()
        finally:
            self.portal.call(self.body_out.aclose)
            self.portal_owner.close()

    async def _disconnect(self) -> None:
        self.response_over.set()
        self.body_out.close()

    def _wait_for_app(self) -> None:
        assert self.app_result is not None
        self.app_result.result()  # re-raises what the app raised after the response started
