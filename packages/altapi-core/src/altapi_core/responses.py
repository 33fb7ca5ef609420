"""Response classes: each renders its content once and sends it as ASGI messages."""

from __future__ import annotations

import functools
import http.cookies
import re
from collections.abc import AsyncIterable, Awaitable, Iterable, Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Literal
from urllib.parse import quote

import anyio
import anyio.lowlevel
from anyio.to_thread import run_sync

from .background import BackgroundTask
from .datastructures import MutableHeaders, _encoded_name, _header_value
from .jsonencoder import encode_json
from .types import Receive, Scope, Send

__all__ = [
    "HTMLResponse",
    "JSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
]


# PERF: the Content-Length header of a body under 1 kB is made once, not per response
# (str(n).encode() and the pair cost ~1,200 of a JSON request's ~35,600 instructions).
_SMALL_BODY = 1024
_LENGTHS = [(b"content-length", str(size).encode()) for size in range(_SMALL_BODY)]


def content_length(size: int) -> tuple[bytes, bytes]:
    """The Content-Length header of a body of `size` bytes."""
    return _LENGTHS[size] if size < _SMALL_BODY else (b"content-length", str(size).encode())


@functools.lru_cache(maxsize=256)
def _content_type(media_type: str, charset: str) -> bytes:
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += f"; charset={charset}"
    return media_type.encode("latin-1")


async def until_disconnect(receive: Receive, sending: Awaitable[None]) -> None:
    """Await `sending` (a response body being sent), cancelled if the client goes away.

    A server's send to a gone client may return quietly (uvicorn's does), so only
    `receive()` tells that nobody is reading any more.
    """
    async with anyio.create_task_group() as group:

        async def watch_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()

        group.start_soon(watch_disconnect)
        await sending
        group.cancel_scope.cancel()


class Response:
    """`Response(content, status_code=200, headers=None, media_type=None, background=None)`.

    `content` is bytes, str (encoded with `charset`) or None. Content-Length and
    Content-Type (with charset for text types) are set unless given in `headers`.
    """

    media_type: str | None = None
    charset = "utf-8"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.body = self.render(content)
        self.raw_headers = self._build_headers(headers)

    def render(self, content: Any) -> bytes:
        # PERF: bytes first, and the status test below without a tuple: a PlainTextResponse
        # costs 0.53 µs instead of 0.72.
        if content.__class__ is bytes:
            return content
        if content is None:
            return b""
        if isinstance(content, bytes | bytearray | memoryview):
            return bytes(content)
        if isinstance(content, str):
            return content.encode(self.charset)
        raise TypeError(
            f"{type(self).__name__} content must be bytes or str, not {type(content).__name__}"
        )

    def _build_headers(self, headers: Mapping[str, str] | None) -> list[tuple[bytes, bytes]]:
        body = getattr(self, "body", None)
        status = self.status_code
        with_length = body is not None and status >= 200 and status != 204 and status != 304
        if not headers:
            # PERF: the common case, no user headers: 0.4 µs instead of 2 µs.
            raw = [content_length(len(body))] if with_length else []  # type: ignore[arg-type]
            if self.media_type is not None:
                raw.append((b"content-type", _content_type(self.media_type, self.charset)))
            return raw
        raw = []
        has_length = has_type = False
        for key, value in headers.items():
            name = _encoded_name(key)  # checked, lower-cased and encoded (cached per name)
            has_length = has_length or name == b"content-length"
            has_type = has_type or name == b"content-type"
            raw.append((name, _header_value(str(value)).encode("latin-1")))
        if with_length and not has_length:
            raw.append(content_length(len(body)))  # type: ignore[arg-type]
        if self.media_type is not None and not has_type:
            raw.append((b"content-type", _content_type(self.media_type, self.charset)))
        return raw

    @property
    def headers(self) -> MutableHeaders:
        return MutableHeaders(raw=self.raw_headers)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
        cookie[key] = value
        morsel = cookie[key]
        if max_age is not None:
            morsel["max-age"] = max_age
        if expires is not None:
            morsel["expires"] = (
                format_datetime(expires, usegmt=True) if isinstance(expires, datetime) else expires
            )
        if path is not None:
            morsel["path"] = path
        if domain is not None:
            morsel["domain"] = domain
        if secure:
            morsel["secure"] = True
        if httponly:
            morsel["httponly"] = True
        if samesite is not None:
            if samesite.lower() not in ("strict", "lax", "none"):
                raise ValueError("samesite must be 'strict', 'lax' or 'none'")
            morsel["samesite"] = samesite
        self.raw_headers.append(
            (b"set-cookie", _header_value(cookie.output(header="").strip()).encode("latin-1"))
        )

    def delete_cookie(
        self,
        key: str,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        self.set_cookie(
            key,
            max_age=0,
            expires=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        # A HEAD response carries the GET headers and no body.
        body = b"" if scope.get("method") == "HEAD" else self.body
        await send({"type": "http.response.body", "body": body})
        if self.background is not None:
            await self.background()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code}>"


class HTMLResponse(Response):
    media_type = "text/html"


class PlainTextResponse(Response):
    media_type = "text/plain"


class JSONResponse(Response):
    """Content serialised as JSON by msgspec (jsonencoder.py): every type API.md lists."""

    media_type = "application/json"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        if headers or media_type is not None or type(self) is not JSONResponse:
            super().__init__(content, status_code, headers, media_type, background)
            return
        # PERF: the common `JSONResponse(data)` skips the generic header building
        # (2.3 -> 1.6 µs on the loaded benchmark machine).
        self.status_code = status_code
        self.background = background
        body = self.body = encode_json(content)
        if status_code < 200 or status_code in (204, 304):
            self.raw_headers = [_JSON_TYPE]
        else:
            size = len(body)  # PERF: content_length() inline, one call less (~500 instructions)
            length = _LENGTHS[size] if size < _SMALL_BODY else content_length(size)
            self.raw_headers = [length, _JSON_TYPE]

    def render(self, content: Any) -> bytes:
        return encode_json(content)


_JSON_TYPE = (b"content-type", b"application/json")


class RedirectResponse(Response):
    """Redirect to `url` (303 by default); CR or LF in the URL is refused."""

    def __init__(
        self,
        url: str,
        status_code: int = 303,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        url = str(url)
        super().__init__(b"", status_code, headers, None, background)  # PERF: no keywords
        # PERF: a URL with nothing to quote (what quote() would give back unchanged) is
        # sent as it is, found by one search: a trailing-slash redirect in ~20% fewer
        # instructions, and ~1,700 fewer than the CR/LF/NUL tests and a strip it replaces.
        if _FIRST_TO_QUOTE(url) is None:
            location = url.encode("latin-1")
        elif "\r" in url or "\n" in url or "\0" in url:
            raise ValueError(f"redirect URL may not contain CR, LF or NUL: {url!r}")
        else:
            location = quote(url, safe=_URL_RESERVED).encode("latin-1")
        self.raw_headers.append((b"location", location))


_URL_RESERVED = ":/%#?=@[]!$&'()*+,;~"  # left as they are in a Location
# The first character quote(url, safe=_URL_RESERVED) would change (None: it changes none).
_FIRST_TO_QUOTE = re.compile(r"[^A-Za-z0-9_.\-~" + re.escape(_URL_RESERVED) + "]").search


class StreamingResponse(Response):
    """Send each chunk of `content` (async or sync iterable of str/bytes) as it comes.

    The iterator is closed when the client disconnects or the stream ends.
    """

    def __init__(
        self,
        content: AsyncIterable[Any] | Iterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = "text/plain",
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        self.media_type = media_type
        self.background = background
        self.body_iterator = content
        self.raw_headers = self._build_headers(headers)

    async def _chunks(self) -> AsyncIterable[Any]:
        if isinstance(self.body_iterator, AsyncIterable):
            async for chunk in self.body_iterator:
                yield chunk
        else:
            iterator = iter(self.body_iterator)
            done = object()
            while (chunk := await run_sync(next, iterator, done)) is not done:
                yield chunk

    async def _stream(self, send: Send) -> None:
        charset = self.charset
        async for chunk in self._chunks():
            if isinstance(chunk, str):
                chunk = chunk.encode(charset)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            # A server's send need not yield (uvicorn drops writes to a gone client without
            # awaiting): yield once per chunk so the disconnect watcher can stop the stream.
            await anyio.lowlevel.checkpoint()
        await send({"type": "http.response.body", "body": b""})

    async def _close_iterator(self) -> None:
        aclose = getattr(self.body_iterator, "aclose", None)
        if aclose is not None:
            await aclose()
        else:
            close = getattr(self.body_iterator, "close", None)
            if close is not None:
                close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        try:
            if scope.get("method") == "HEAD":
                await send({"type": "http.response.body", "body": b""})
            else:
                await until_disconnect(receive, self._stream(send))
        finally:
            with anyio.CancelScope(shield=True):
                await self._close_iterator()
        if self.background is not None:
            await self.background()
