"""The HTTP request: lazy views over the ASGI scope and an async body reader."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Generator
from typing import Any

import anyio
import ujson

from .connection import HTTPConnection
from .datastructures import URL
from .deadlines import receive_within
from .exceptions import HTTPException
from .formparsers import FormLimits, parse_multipart, parse_urlencoded
from .types import Message, Receive, Scope, Send
from .uploads import FormData

__all__ = ["ClientDisconnect", "FormCall", "Request"]


class FormCall:
    """What `request.form()` returns: awaitable, or an async context manager whose exit
    closes the uploaded files. The form is parsed only when awaited or entered."""

    __slots__ = ("_limits", "_request")

    def __init__(self, request: Request, limits: FormLimits) -> None:
        self._request = request
        self._limits = limits

    def __await__(self) -> Generator[Any, None, FormData]:
        return self._request._parsed_form(self._limits).__await__()

    async def __aenter__(self) -> FormData:
        return await self._request._parsed_form(self._limits)

    async def __aexit__(self, *exc_info: object) -> None:
        await self._request.close()


class ClientDisconnect(Exception):
    """The client went away while its request body was being read."""


async def _no_receive() -> Message:
    raise RuntimeError("this request has no receive channel")


async def _no_send(message: Message) -> None:
    raise RuntimeError("this request has no send channel")


_MISSING: Any = object()
_clock = time.monotonic
_SLOWEST_BODY = 1024.0  # bytes a second: the pace a body's deadline moves on by


class Request(HTTPConnection):
    """One HTTP request. Every view (headers, query_params, cookies...) is built on first use."""

    # PERF: no __slots__: the rarely used fields default at class level, so a new
    # Request sets four attributes instead of fourteen (515 -> ~200 ns).
    _body: bytes | None = None
    _json: Any = _MISSING
    _form: FormData | None = None
    _stream_consumed = False
    _received = 0  # bytes of the body received so far
    _allowed: float | None = None  # seconds the body may still take (body_timeout)
    _pending: Message | None = None
    _disconnected = False
    _exchange: Any = None  # the dispatcher's per-request Exchange

    def __init__(
        self,
        scope: Scope,
        receive: Receive = _no_receive,
        send: Send = _no_send,
        max_body_size: int | None = None,
    ) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.max_body_size = max_body_size

    # --- the request line and metadata -------------------------------------------------

    @property
    def method(self) -> str:
        return self.scope["method"]

    @property
    def query_string(self) -> str:
        return self.scope.get("query_string", b"").decode("latin-1")

    @property
    def headers_dict(self) -> dict[str, str]:
        """Header names (lower case) to values; for a repeated name, the last one."""
        return {k.decode("latin-1"): v.decode("latin-1") for k, v in self.scope["headers"]}

    @property
    def session(self) -> dict[str, Any]:
        if "session" not in self.scope:
            raise AssertionError("request.session needs SessionMiddleware installed")
        return self.scope["session"]

    def url_for(self, name: str, /, **path_params: Any) -> URL:
        """Absolute URL of the route called `name` (scheme and host from this request)."""
        path = self.scope["app"].url_path_for(name, **path_params)
        return URL(self.base_url.rstrip("/") + path)

    # --- the body ------------------------------------------------------------------------

    def _declared_length(self) -> int | None:
        for name, value in self.scope["headers"]:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise HTTPException(400, "Invalid Content-Length header") from None
                if length < 0:
                    raise HTTPException(400, "Invalid Content-Length header")
                return length
        return None

    async def stream(self) -> AsyncIterator[bytes]:
        """The body chunk by chunk; 413 as soon as it is known to exceed max_body_size."""
        if self._body is not None:
            yield self._body
            return
        self._start_reading()
        more = True
        while more:
            chunk, more = await self._next_chunk()
            if chunk:
                yield chunk

    async def body(self) -> bytes:
        if self._body is None:
            # PERF: no async generator (stream()): a one-message body 1.5 -> 0.7 µs, 21k -> 13k
            # instructions (the Request included)
            self._start_reading()
            body, more = await self._next_chunk()
            if more:
                chunks = [body]
                while more:
                    chunk, more = await self._next_chunk()
                    chunks.append(chunk)
                body = b"".join(chunks)
            self._body = body
        return self._body

    def _start_reading(self) -> None:
        if self._stream_consumed:
            raise RuntimeError("the request body was already consumed by stream()")
        self._stream_consumed = True
        limit = self.max_body_size
        if limit is not None:
            declared = self._declared_length()
            if declared is not None and declared > limit:
                raise HTTPException(413, f"Request body is over the {limit}-byte limit")
        # The app's body_timeout: how long the client may keep us waiting for its body,
        # plus a second for each KiB it has sent (a steady upload goes on, a drip does not).
        self._allowed = getattr(self.scope.get("app"), "body_timeout", None)

    async def _next_chunk(self) -> tuple[bytes, bool]:
        """The next chunk of the body (maybe empty) and whether more may follow."""
        while True:
            if self._pending is not None:
                message, self._pending = self._pending, None
            elif self._allowed is None:
                message = await self._receive()
            else:
                message = await self._receive_in_time(self._allowed)
            kind = message["type"]
            if kind == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    self._received += len(chunk)
                    limit = self.max_body_size
                    if limit is not None and self._received > limit:
                        raise HTTPException(413, f"Request body is over the {limit}-byte limit")
                return chunk, message.get("more_body", False)
            if kind == "http.disconnect":
                raise ClientDisconnect()

    async def _receive_in_time(self, allowed: float) -> Message:
        started = _clock()
        message = await receive_within(self._receive, allowed + self._received / _SLOWEST_BODY)
        if message is None:
            raise HTTPException(
                408, "The request body was not received in time", {"Connection": "close"}
            )
        self._allowed = allowed - (_clock() - started)
        return message

    async def json(self) -> Any:
        """The body parsed as JSON; malformed JSON is answered with 400."""
        if self._json is _MISSING:
            body = await self.body()
            try:
                self._json = ujson.loads(body)
            except (ValueError, TypeError) as exc:
                raise HTTPException(400, f"Malformed JSON in request body: {exc}") from None
        return self._json

    async def text(self) -> str:
        try:
            return (await self.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(400, "Request body is not valid UTF-8") from None

    def form(
        self,
        *,
        max_fields: int = 1000,
        max_files: int = 1000,
        max_part_size: int = 1024 * 1024,
        max_file_size: int | None = None,
    ) -> FormCall:
        """Urlencoded or multipart form data, within the given limits (400/413 past them):
        `await request.form()`, or `async with request.form() as form:` to close the
        uploaded files on leaving the block (as in Starlette)."""
        limits = FormLimits(max_fields, max_files, max_part_size, max_file_size)
        return FormCall(self, limits)

    async def _parsed_form(self, limits: FormLimits) -> FormData:
        if self._form is None:
            content_type = self.headers.get("content-type", "")
            media = content_type.split(";", 1)[0].strip().lower()
            if media == "multipart/form-data":
                self._form = await parse_multipart(content_type, self.stream(), limits)
            elif media == "application/x-www-form-urlencoded":
                self._form = await parse_urlencoded(self.stream(), limits)
            else:
                self._form = FormData()
        return self._form

    async def close(self) -> None:
        if self._form is not None:
            await self._form.close()

    async def is_disconnected(self) -> bool:
        """True once the client has gone away; never waits, never loses a body chunk."""
        if self._disconnected:
            return True
        if self._pending is None:
            with anyio.CancelScope() as cancel:
                cancel.cancel()
                # Returns at once if a message is ready; otherwise the cancel ends the wait.
                self._pending = await self._receive()
        if self._pending is not None and self._pending["type"] == "http.disconnect":
            self._disconnected = True
        return self._disconnected

    async def send_push_promise(self, path: str) -> None:
        if "http.response.push" in self.scope.get("extensions", {}):
            await self._send({"type": "http.response.push", "path": path, "headers": []})
