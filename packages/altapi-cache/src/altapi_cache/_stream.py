"""Recording a streamed body as it is sent, so a short stream can be cached afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from anyio.to_thread import run_sync

_DONE = object()


async def _from_thread(iterator: Iterator[Any]) -> AsyncIterator[Any]:
    while (chunk := await run_sync(next, iterator, _DONE)) is not _DONE:
        yield chunk


class TeeStream:
    """Wraps a StreamingResponse's `body_iterator`: yields its chunks unchanged while
    keeping a copy of up to `limit` bytes. `finish(body)` is awaited once: with the whole
    body when the stream ended within the limit, with None when it went over, failed, or
    was closed early (client gone, HEAD)."""

    def __init__(
        self,
        source: Any,
        charset: str,
        limit: int,
        finish: Callable[[bytes | None], Awaitable[None]],
    ) -> None:
        self._source = source
        self._charset = charset
        self._limit = limit
        self._finish = finish
        self._iterator: Any = None
        self._parts: list[bytes] | None = []
        self._size = 0
        self._finished = False

    def __aiter__(self) -> TeeStream:
        return self

    async def __anext__(self) -> Any:
        if self._iterator is None:
            source = self._source
            if hasattr(source, "__aiter__"):
                self._iterator = source.__aiter__()
            else:
                self._source = iter(source)
                self._iterator = _from_thread(self._source)
        try:
            chunk = await self._iterator.__anext__()
        except StopAsyncIteration:
            parts = self._parts
            await self._done(None if parts is None else b"".join(parts))
            raise
        except BaseException:
            await self._done(None)
            raise
        if self._parts is not None:
            data = chunk.encode(self._charset) if isinstance(chunk, str) else bytes(chunk)
            self._size += len(data)
            if self._size > self._limit:
                self._parts = None
            else:
                self._parts.append(data)
        return chunk

    async def aclose(self) -> None:
        try:
            for target in (self._iterator, self._source):
                aclose = getattr(target, "aclose", None)
                if aclose is not None:
                    await aclose()
                elif callable(getattr(target, "close", None)):
                    target.close()
        finally:
            await self._done(None)

    async def _done(self, body: bytes | None) -> None:
        if not self._finished:
            self._finished = True
            await self._finish(body)
