"""Parse `application/x-www-form-urlencoded` and `multipart/form-data` bodies.

Every malformed or oversized input is answered with an HTTPException
(400 for malformed data or too many fields/files, 413 for a part over its limit).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import unquote_to_bytes

from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from .datastructures import Headers
from .exceptions import HTTPException
from .uploads import FormData, UploadFile

__all__ = ["FormLimits", "parse_multipart", "parse_urlencoded"]

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class FormLimits:
    """Bounds on a form body; `request.form(...)` takes them as keyword arguments."""

    max_fields: int = 1000
    max_files: int = 1000
    max_part_size: int = 1024 * 1024  # a non-file field's value, in bytes
    max_file_size: int | None = None  # an uploaded file, in bytes; None: only max_body_size applies


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, f"{what} is not valid UTF-8") from None


def _unquote_plus(raw: bytes, what: str) -> str:
    return _decode(unquote_to_bytes(raw.replace(b"+", b" ")), what)


async def parse_urlencoded(chunks: AsyncIterator[bytes], limits: FormLimits) -> FormData:
    """Fields counted and bounded as the body streams in: a flood of `&` is refused after
    `max_fields` pairs, holding no more than a chunk and one unfinished field meanwhile."""
    items: list[tuple[str, str | UploadFile]] = []
    # Empty pairs (`a&&b`) are skipped but still counted, so that `&&&...` is refused too.
    pieces_left = 2 * limits.max_fields + 1
    pending = b""
    async for chunk in chunks:
        pending += chunk
        pairs = pending.split(b"&", pieces_left)  # PERF: split in C, bounded by the budget
        pending = pairs.pop()  # the unfinished pair (or all past the budget)
        pieces_left -= len(pairs)
        for pair in pairs:
            _add_pair(items, pair, limits)
        if pieces_left == 0 and b"&" in pending:
            _too_many_fields(limits)
        value_starts = pending.find(b"=") + 1
        if len(pending) - value_starts > limits.max_part_size:
            raise HTTPException(413, f"Form field is over {limits.max_part_size} bytes")
    _add_pair(items, pending, limits)
    return FormData(items)


def _add_pair(items: list[tuple[str, str | UploadFile]], pair: bytes, limits: FormLimits) -> None:
    if not pair:
        return
    if len(items) >= limits.max_fields:
        _too_many_fields(limits)
    name, _, value = pair.partition(b"=")
    if len(value) > limits.max_part_size:
        raise HTTPException(413, f"Form field is over {limits.max_part_size} bytes")
    if b"%" in pair and _BAD_PERCENT.search(pair):
        raise HTTPException(400, "Form data has an invalid percent-encoding")
    items.append((_unquote_plus(name, "Form field name"), _unquote_plus(value, "Form field")))


def _too_many_fields(limits: FormLimits) -> NoReturn:
    raise HTTPException(400, f"Too many form fields (the limit is {limits.max_fields})")


class _Part:
    __slots__ = ("data", "file", "headers", "name")

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.name = ""
        self.file: UploadFile | None = None
        self.data = bytearray()


class _MultipartState:
    """Collects the parser's callbacks; the async side drains `events` after each chunk."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes]] = []
        self.seen_bytes = False
        self._field = b""
        self._value = b""

    def callbacks(self) -> dict[str, object]:
        events = self.events

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._field += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._value += data[start:end]

        def on_header_end() -> None:
            events.append(("header", self._field.lower() + b"\0" + self._value))
            self._field = self._value = b""

        return {
            "on_part_begin": lambda: events.append(("begin", b"")),
            "on_part_data": lambda data, start, end: events.append(("data", data[start:end])),
            "on_part_end": lambda: events.append(("end", b"")),
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": lambda: events.append(("headers_done", b"")),
        }


async def parse_multipart(
    content_type: str, chunks: AsyncIterator[bytes], limits: FormLimits
) -> FormData:
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise HTTPException(400, "Multipart body without a boundary")
    state = _MultipartState()
    try:
        parser = MultipartParser(boundary, state.callbacks())  # type: ignore[arg-type]
    except ValueError as exc:
        raise HTTPException(400, f"Malformed multipart body: {exc}") from None
    items: list[tuple[str, str | UploadFile]] = []
    fields = files = 0
    part = _Part()
    try:
        async for chunk in chunks:
            state.seen_bytes = state.seen_bytes or bool(chunk)
            try:
                parser.write(chunk)
            except Exception as exc:  # python-multipart raises its own error types
                raise HTTPException(400, f"Malformed multipart body: {exc}") from None
            for kind, data in state.events:
                if kind == "begin":
                    part = _Part()
                elif kind == "header":
                    name, _, value = data.partition(b"\0")
                    part.headers.append((name, value))
                elif kind == "headers_done":
                    disposition = dict(part.headers).get(b"content-disposition", b"")
                    _, options = parse_options_header(disposition)
                    if b"name" not in options:
                        raise HTTPException(400, "Multipart part without a name")
                    part.name = _decode(options[b"name"], "Multipart field name")
                    if b"filename" in options:
                        files += 1
                        if files > limits.max_files:
                            raise HTTPException(
                                400, f"Too many files (the limit is {limits.max_files})"
                            )
                        part.file = UploadFile(
                            filename=_decode(options[b"filename"], "File name"),
                            headers=Headers(raw=part.headers),
                        )
                    else:
                        fields += 1
                        if fields > limits.max_fields:
                            _too_many_fields(limits)
                elif kind == "data":
                    if part.file is not None:
                        if (
                            limits.max_file_size is not None
                            and part.file.size + len(data) > limits.max_file_size
                        ):
                            raise HTTPException(413, f"File is over {limits.max_file_size} bytes")
                        await part.file.write(data)
                    else:
                        part.data += data
                        if len(part.data) > limits.max_part_size:
                            raise HTTPException(
                                413, f"Form field is over {limits.max_part_size} bytes"
                            )
                elif kind == "end":
                    if part.file is not None:
                        await part.file.seek(0)
                        items.append((part.name, part.file))
                    else:
                        items.append((part.name, _decode(bytes(part.data), "Form field")))
            state.events.clear()
        # An empty body is an empty form; any other body must reach its closing boundary.
        if parser.state != MultipartState.END and (items or state.seen_bytes):
            raise HTTPException(400, "Multipart body ends before its closing boundary")
        parser.finalize()
    except BaseException:
        for _, item in items:
            if isinstance(item, UploadFile):
                await item.close()
        if part.file is not None:
            await part.file.close()
        raise
    return FormData(items)
