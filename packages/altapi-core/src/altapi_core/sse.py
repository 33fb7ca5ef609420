"""Server-sent events (the WHATWG `text/event-stream` format)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import ujson

from .background import BackgroundTask
from .responses import StreamingResponse
from .shutdown import wait_for_shutdown
from .types import Send

__all__ = ["EventSourceResponse", "ServerSentEvent"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class ServerSentEvent:
    """One event. `data` may hold several lines (each is sent as its own `data:` line);
    a dict or list is sent as JSON."""

    data: Any = ""
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        for name in ("event", "id"):
            value = getattr(self, name)
            if value is not None and (_LINE_BREAK.search(value) or "\0" in value):
                raise ValueError(f"an event {name} may not contain a line break or NUL: {value!r}")
        if self.retry is not None and (not isinstance(self.retry, int) or self.retry < 0):
            raise ValueError(f"retry must be a non-negative number of milliseconds: {self.retry!r}")

    def encode(self) -> bytes:
        lines: list[str] = []
        if self.comment is not None:
            lines.extend(f": {line}" for line in _LINE_BREAK.split(self.comment))
        if self.event is not None:
            lines.append(f"event: {self.event}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        if self.retry is not None:
            lines.append(f"retry: {self.retry}")
        data = self.data
        if not isinstance(data, str):
            data = ujson.dumps(data, ensure_ascii=False, escape_forward_slashes=False)
        lines.extend(f"data: {line}" for line in _LINE_BREAK.split(data))
        return ("\n".join(lines) + "\n\n").encode("utf-8")


def _encode(item: Any) -> bytes:
    if isinstance(item, ServerSentEvent):
        return item.encode()
    if isinstance(item, bytes):
        return item
    return ServerSentEvent(item).encode()


class EventSourceResponse(StreamingResponse):
    """Stream events from `content`, with a `: ping` comment every `ping` seconds.

    The iterator is closed when the client goes away, and the stream ends (cleanly)
    when the server is asked to shut down (see shutdown.py). Read the client's
    `Last-Event-ID` from `request.headers.get("last-event-id")` to resume.
    """

    def __init__(
        self,
        content: AsyncIterable[Any],
        ping: float | None = 15,
        headers: Mapping[str, str] | None = None,
        status_code: int = 200,
        background: BackgroundTask | None = None,
    ) -> None:
        merged = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        merged.update(headers or {})
        super().__init__(
            content,
            status_code=status_code,
            headers=merged,
            media_type="text/event-stream",
            background=background,
        )
        self.ping_interval = ping

    async def _stream(self, send: Send) -> None:
        lock = anyio.Lock()

        async def send_chunk(chunk: bytes) -> None:
            async with lock:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})

        async with anyio.create_task_group() as group:
            if self.ping_interval:
                interval = self.ping_interval

                async def ping() -> None:
                    while True:
                        await anyio.sleep(interval)
                        await send_chunk(b": ping\n\n")

                group.start_soon(ping)

            async def end_on_shutdown() -> None:
                await wait_for_shutdown()
                group.cancel_scope.cancel()  # the closing chunk below ends the response

            group.start_soon(end_on_shutdown)
            async for item in self._chunks():
                await send_chunk(_encode(item))
            group.cancel_scope.cancel()
        await send({"type": "http.response.body", "body": b""})
