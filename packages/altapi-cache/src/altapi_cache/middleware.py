"""`CacheMiddleware`: ASGI middleware that caches the GET responses of a whole app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from altapi_core.types import ASGIApp, Message, Receive, Scope, Send

from ._flights import Flights
from ._rules import (
    CACHEABLE_METHODS,
    MISS,
    RawHeaders,
    entry_for,
    has_authorization,
    hit_headers,
    lookup,
    save,
    storable,
    url_key,
    variant_key,
)
from .backends import CacheBackend
from .entry import CachedResponse
from .manager import CacheManager

__all__ = ["CacheMiddleware"]


class CacheMiddleware:
    """`CacheMiddleware(app, cache_timeout=300)`: every GET the app answers is cached,
    under the same rules and key as `@cache`.

    A response is recorded as it passes through (streamed bodies are never
    delayed) and stored when complete, if it fits in `max_entry_bytes`. A HEAD
    is answered from a cached GET; a HEAD that misses goes to the app uncached.
    """

    def __init__(
        self,
        app: ASGIApp,
        cache_timeout: float | None = 300,
        *,
        backend: CacheBackend | None = None,
        key_prefix: str | None = None,
        statuses: Iterable[int] = (200,),
        max_entry_bytes: int = 1024 * 1024,
    ) -> None:
        self.app = app
        self.cache_timeout = cache_timeout
        self.backend = backend
        self.key_prefix = key_prefix
        self.statuses = frozenset(statuses)
        self.max_entry_bytes = max_entry_bytes
        self.flights = Flights()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in CACHEABLE_METHODS
            or has_authorization(scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        headers: RawHeaders = scope["headers"]
        prefix = self.key_prefix if self.key_prefix is not None else CacheManager.prefix
        key = url_key(prefix + ":mw", scope["path"], scope.get("query_string", b""))
        backend = self.backend if self.backend is not None else CacheManager.get_backend()
        entry = await lookup(backend, key, headers)
        if entry is not None:
            await _send_hit(entry, scope, send)
            return
        if scope["method"] == "HEAD":  # its body is empty: nothing to store
            await self.app(scope, receive, _marking_miss(send))
            return
        flight, leader = self.flights.join(key)
        if not leader:
            await flight.done.wait()
            shared = flight.entry
            if shared is not None and (
                not shared.vary or variant_key(key, headers, shared.vary) == flight.variant
            ):
                await _send_hit(shared, scope, send)
                return
            await self.app(scope, receive, _marking_miss(send))
            return
        # Followers wait for a complete body only while it may still be stored.
        recorder = _Recorder(
            send, self.statuses, self.max_entry_bytes, lambda: self.flights.land(key, flight)
        )
        try:
            await self.app(scope, receive, recorder.send)
            entry = recorder.entry()
            if entry is not None:
                await save(backend, key, entry, headers, self.cache_timeout)
                variant = variant_key(key, headers, entry.vary) if entry.vary else ""
                self.flights.land(key, flight, entry, variant)
        finally:
            self.flights.land(key, flight)


async def _send_hit(entry: CachedResponse, scope: Scope, send: Send) -> None:
    await send(
        {"type": "http.response.start", "status": entry.status, "headers": hit_headers(entry)}
    )
    body = b"" if scope["method"] == "HEAD" else entry.body
    await send({"type": "http.response.body", "body": body})


def _marking_miss(send: Send) -> Send:
    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), MISS]}
        await send(message)

    return marked


class _Recorder:
    """Forwards the app's messages (adding `X-Cache: MISS`) while keeping a copy."""

    def __init__(
        self, send: Send, statuses: frozenset[int], limit: int, give_up: Callable[[], None]
    ) -> None:
        self._send = send
        self._give_up = give_up
        self._statuses = statuses
        self._limit = limit
        self._status = 0
        self._headers: RawHeaders = []
        self._vary: tuple[str, ...] | None = None
        self._parts: list[bytes] | None = []
        self._size = 0
        self._complete = False

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self._status = message["status"]
            self._headers = list(message.get("headers", ()))
            self._vary = storable(self._status, self._headers, self._statuses)
            if self._vary is None:
                self._give_up()
            message = {**message, "headers": [*self._headers, MISS]}
        elif kind == "http.response.body" and self._vary is not None and self._parts is not None:
            body: Any = message.get("body", b"")
            self._size += len(body)
            if self._size > self._limit:
                self._parts = None
                self._give_up()
            else:
                self._parts.append(bytes(body))
                self._complete = not message.get("more_body", False)
        await self._send(message)

    def entry(self) -> CachedResponse | None:
        if self._vary is None or self._parts is None or not self._complete:
            return None
        return entry_for(self._status, self._headers, b"".join(self._parts), self._vary)
