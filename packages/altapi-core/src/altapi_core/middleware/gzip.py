"""GZipMiddleware: compress responses for clients that accept gzip."""

from __future__ import annotations

import gzip
import io

from ..datastructures import Headers, MutableHeaders
from ..types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GZipMiddleware"]


class GZipMiddleware:
    """Gzip bodies of at least `minimum_size` bytes; streams stay streamed.

    Skipped when the client does not accept gzip, the response already has a
    Content-Encoding, or it is an event stream (compression would hold events back).
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 500, compresslevel: int = 9) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "gzip" in Headers(raw=scope["headers"]).get(
            "accept-encoding", ""
        ):
            await _GzipResponder(self, send).run(scope, receive)
        else:
            await self.app(scope, receive, send)


class _GzipResponder:
    def __init__(self, middleware: GZipMiddleware, send: Send) -> None:
        self.middleware = middleware
        self.send = send
        self.start: Message | None = None
        self.passthrough = False
        self.buffer = io.BytesIO()
        self.file: gzip.GzipFile | None = None

    async def run(self, scope: Scope, receive: Receive) -> None:
        await self.middleware.app(scope, receive, self.on_message)

    def _compressor(self) -> gzip.GzipFile:
        return gzip.GzipFile(
            mode="wb", fileobj=self.buffer, compresslevel=self.middleware.compresslevel
        )

    def _take(self) -> bytes:
        data = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data

    async def on_message(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            headers = Headers(raw=message["headers"])
            self.start = message
            self.passthrough = "content-encoding" in headers or headers.get(
                "content-type", ""
            ).startswith("text/event-stream")
            if self.passthrough:
                await self.send(message)
            return
        if kind != "http.response.body" or self.passthrough:
            await self.send(message)
            return
        assert self.start is not None
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if self.file is None:  # first body message
            if not more and len(body) < self.middleware.minimum_size:
                await self.send(self.start)
                await self.send(message)
                self.passthrough = True
                return
            headers = MutableHeaders(raw=list(self.start["headers"]))
            headers["Content-Encoding"] = "gzip"
            headers.add_vary_header("Accept-Encoding")
            self.file = self._compressor()
            self.file.write(body)
            if not more:
                self.file.close()
                compressed = self._take()
                headers["Content-Length"] = str(len(compressed))
                await self.send({**self.start, "headers": headers.raw})
                await self.send({"type": "http.response.body", "body": compressed})
                return
            if "content-length" in headers:
                del headers["Content-Length"]
            await self.send({**self.start, "headers": headers.raw})
            self.file.flush()
            await self.send({"type": "http.response.body", "body": self._take(), "more_body": True})
            return
        self.file.write(body)
        if more:
            self.file.flush()
        else:
            self.file.close()
        await self.send({"type": "http.response.body", "body": self._take(), "more_body": more})
