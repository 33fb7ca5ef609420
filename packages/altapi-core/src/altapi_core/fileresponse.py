"""`FileResponse`: a file from disk with validators, conditional GET and byte ranges."""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

import anyio
from anyio.to_thread import run_sync

from .background import BackgroundTask
from .datastructures import Headers, _header_value
from .responses import Response, _content_type, until_disconnect
from .types import Receive, Scope, Send

__all__ = ["FileResponse"]

CHUNK_SIZE = 64 * 1024


class _RangeError(Exception):
    pass


def _byte_position(digits: str) -> int:
    """A range's decimal position; one longer than any file can be reads as "past the end"
    (int() refuses over 4,300 digits, and such a number cannot be a real position)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 19 else _PAST_ANY_FILE


_PAST_ANY_FILE = 2**63


def _is_decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()  # str.isdigit alone takes "²" and "٣"


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (start, end-exclusive) of a single `bytes=` range; None to send the whole file.

    Raises _RangeError for a malformed or unsatisfiable range (answered with 416).
    Several ranges are answered with the whole file (RFC 9110 lets a server ignore Range).
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not (first or last) or not _is_decimal(first + last):
        raise _RangeError(header)
    if not first:  # suffix: the last N bytes
        length = _byte_position(last)
        if length == 0 or size == 0:  # no byte to send: bytes 0--1/0 is no answer
            raise _RangeError(header)
        return max(size - length, 0), size
    start = _byte_position(first)
    end = min(_byte_position(last) + 1, size) if last else size
    if start >= size or end <= start:
        raise _RangeError(header)
    return start, end


class FileResponse(Response):
    """Send the file at `path`; `filename` adds `Content-Disposition: attachment`.

    Sets Content-Type (guessed), Content-Length, Last-Modified, ETag and
    Accept-Ranges; answers If-None-Match / If-Modified-Since with 304 and a single
    `Range` with 206 (416 when it cannot be satisfied). A missing file gives 404.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        filename: str | None = None,
        media_type: str | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
        stat_result: os.stat_result | None = None,
        content_disposition_type: str = "attachment",
    ) -> None:
        self.path = os.fspath(path)
        self.filename = filename
        self.status_code = status_code
        self.background = background
        self.stat_result = stat_result
        if media_type is None:
            media_type = mimetypes.guess_type(filename or self.path)[0] or "text/plain"
        self.media_type = media_type
        self.body = b""
        self.raw_headers = self._build_headers(headers)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        if filename is not None:
            self.raw_headers.append(
                (b"content-disposition", _disposition(content_disposition_type, filename))
            )

    def _validators(self, st: os.stat_result) -> list[tuple[bytes, bytes]]:
        modified = datetime.fromtimestamp(st.st_mtime, tz=timezone.utc)
        return [
            (b"last-modified", format_datetime(modified, usegmt=True).encode()),
            (b"etag", _etag(st)),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        st = self.stat_result
        if st is None:
            try:
                st = await run_sync(os.stat, self.path)
            except (FileNotFoundError, NotADirectoryError):
                await Response("Not Found", 404, media_type="text/plain")(scope, receive, send)
                return
        if not stat.S_ISREG(st.st_mode):
            await Response("Not Found", 404, media_type="text/plain")(scope, receive, send)
            return
        size = st.st_size
        request_headers = Headers(scope=scope)
        headers = self.raw_headers + self._validators(st) + [(b"accept-ranges", b"bytes")]
        method = scope.get("method", "GET")
        if self.status_code == 200 and method in ("GET", "HEAD"):
            if _not_modified(request_headers, st):
                keep = (b"etag", b"last-modified", b"cache-control", b"content-location")
                headers = [(k, v) for k, v in headers if k in keep]
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            start, end, status = 0, size, self.status_code
            range_header = request_headers.get("range")
            if range_header is not None and _if_range_holds(request_headers, st):
                try:
                    span = parse_range(range_header, size)
                except _RangeError:
                    await self._unsatisfiable(size, send)
                    return
                if span is not None:
                    start, end = span
                    status = 206
                    headers.append((b"content-range", f"bytes {start}-{end - 1}/{size}".encode()))
        else:
            start, end, status = 0, size, self.status_code
        headers.append((b"content-length", str(end - start).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
        else:
            await until_disconnect(receive, self._send_file(start, end, send))
        if self.background is not None:
            await self.background()

    async def _send_file(self, start: int, end: int, send: Send) -> None:
        file = await anyio.open_file(self.path, "rb")
        try:
            if start:
                await file.seek(start)
            remaining = end - start
            while True:
                chunk = await file.read(min(CHUNK_SIZE, remaining))
                remaining -= len(chunk)
                more = remaining > 0 and bool(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if not more:
                    return
        finally:
            with anyio.CancelScope(shield=True):  # also when the client left (cancelled)
                await file.aclose()

    async def _unsatisfiable(self, size: int, send: Send) -> None:
        body = b"Requested Range Not Satisfiable"
        headers = [
            (b"content-range", f"bytes */{size}".encode()),
            (b"content-type", _content_type("text/plain", "utf-8")),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 416, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _etag(st: os.stat_result) -> bytes:
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'.encode()


def _disposition(kind: str, filename: str) -> bytes:
    quoted = quote(filename)
    if quoted != filename:  # non-ASCII or special characters: RFC 6266 filename*
        value = f"{kind}; filename*=utf-8''{quoted}"
    else:
        value = f'{kind}; filename="{filename}"'
    return _header_value(value).encode("latin-1")


def _not_modified(headers: Headers, st: os.stat_result) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        etag = _etag(st).decode()
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if since is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return int(st.st_mtime) <= when.timestamp()
    return False


def _if_range_holds(headers: Headers, st: os.stat_result) -> bool:
    """True when there is no If-Range, or it still names this version of the file."""
    if_range = headers.get("if-range")
    if if_range is None:
        return True
    if if_range.startswith('"') or if_range.startswith("W/"):
        return if_range == _etag(st).decode()
    try:
        return int(st.st_mtime) <= parsedate_to_datetime(if_range).timestamp()
    except (TypeError, ValueError):
        return False
