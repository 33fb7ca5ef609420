"""`@cache(...)`: serve a route's GET/HEAD responses from a backend."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from altapi_core.guards import CallHandler, declare
from altapi_core.requests import Request
from altapi_core.responses import Response, StreamingResponse

from ._flights import Flight, Flights
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
from ._stream import TeeStream
from .backends import CacheBackend
from .entry import CachedResponse
from .manager import CacheManager

__all__ = ["cache"]

F = TypeVar("F", bound=Callable[..., Any])
KeyFunc = Callable[[Request], Any]


class CachedHit(Response):
    """A response rebuilt from the cache: no rendering, headers plus `Age` and `X-Cache: HIT`."""

    def __init__(self, entry: CachedResponse) -> None:
        self.status_code = entry.status
        self.body = entry.body
        self.background = None
        self.raw_headers = hit_headers(entry)


def cache(
    expires: float | None = 300,
    key_prefix: str | None = None,
    backend: CacheBackend | None = None,
    key_func: KeyFunc | None = None,
    *,
    statuses: Iterable[int] = (200,),
    max_entry_bytes: int = 1024 * 1024,
) -> Callable[[F], F]:
    """Cache the decorated handler's GET/HEAD responses; put it under the route decorator.

    `expires`: seconds (None: until evicted). `key_prefix`: default
    `CacheManager.prefix`. `backend`: default `CacheManager.get_backend()`, read
    per request. `key_func(request) -> str` (sync or async) replaces the
    path-and-query part of the key, and also allows caching requests that carry
    `Authorization` (the key function is trusted to tell users apart).
    `statuses`: which status codes are stored. `max_entry_bytes`: larger bodies
    are not stored; a `StreamingResponse` is stored only when its whole body
    fits (it is recorded while sent, never delayed).
    """
    policy = cache_layer(expires, key_prefix, backend, key_func, statuses, max_entry_bytes)

    def decorator(handler: F) -> F:
        # Recorded on the handler; the route decorator builds it into the route's pipeline.
        declare(handler, policy, "@cache")
        handler.__altapi_cache__ = policy  # type: ignore[attr-defined]
        return handler

    return decorator


def cache_layer(
    expires: float | None = 300,
    key_prefix: str | None = None,
    backend: CacheBackend | None = None,
    key_func: KeyFunc | None = None,
    statuses: Iterable[int] = (200,),
    max_entry_bytes: int = 1024 * 1024,
) -> _ResponseCache:
    """What `@cache(...)` declares on a handler, to pass as a route's `guards=[...]`."""
    return _ResponseCache(expires, key_prefix, backend, key_func, statuses, max_entry_bytes)


class _ResponseCache:
    def __init__(
        self,
        expires: float | None,
        key_prefix: str | None,
        backend: CacheBackend | None,
        key_func: KeyFunc | None,
        statuses: Iterable[int],
        max_entry_bytes: int,
    ) -> None:
        self.expires = expires
        self.key_prefix = key_prefix
        self.backend = backend
        self.key_func = key_func
        self.statuses = frozenset(statuses)
        self.max_entry_bytes = max_entry_bytes
        self.flights = Flights()

    async def key(self, request: Request) -> str:
        prefix = self.key_prefix if self.key_prefix is not None else CacheManager.prefix
        if self.key_func is None:
            scope = request.scope
            return url_key(prefix, scope["path"], scope.get("query_string", b""))
        custom = self.key_func(request)
        if inspect.isawaitable(custom):
            custom = await custom
        return f"{prefix}:{custom}"

    async def around(self, request: Request, call_handler: CallHandler) -> Response:
        scope = request.scope
        headers: RawHeaders = scope["headers"]
        if scope["method"] not in CACHEABLE_METHODS or (
            self.key_func is None and has_authorization(headers)
        ):
            return await call_handler()
        key = await self.key(request)
        backend = self.backend if self.backend is not None else CacheManager.get_backend()
        entry = await lookup(backend, key, headers)
        if entry is not None:
            return CachedHit(entry)
        flight: Flight | None
        flight, leader = self.flights.join(key)
        if not leader:
            await flight.done.wait()
            shared = flight.entry
            if shared is not None and (
                not shared.vary or variant_key(key, headers, shared.vary) == flight.variant
            ):
                return CachedHit(shared)
            flight = None  # the leader's response does not apply: run the handler too
        try:
            response = await call_handler()
            return await self.store(request, response, key, backend, flight)
        finally:
            if flight is not None:
                self.flights.land(key, flight)  # no-op when store() landed it with an entry

    async def store(
        self,
        request: Request,
        response: Response,
        key: str,
        backend: CacheBackend,
        flight: Flight | None,
    ) -> Response:
        headers: RawHeaders = request.scope["headers"]
        vary = storable(response.status_code, response.raw_headers, self.statuses)
        response.raw_headers.append(MISS)
        if vary is None:
            return response
        if isinstance(response, StreamingResponse):
            if (
                request.scope["method"] == "HEAD"
                or type(response)._stream is not StreamingResponse._stream
                or self.max_entry_bytes <= 0
            ):
                return response
            status, raw = response.status_code, list(response.raw_headers)

            # A stream is stored once fully sent; concurrent misses do not wait for it
            # (it may never be sent), they run the handler too.
            async def finish(body: bytes | None) -> None:
                if body is not None:
                    await save(
                        backend, key, entry_for(status, raw, body, vary), headers, self.expires
                    )

            response.body_iterator = TeeStream(
                response.body_iterator, response.charset, self.max_entry_bytes, finish
            )
            return response
        body = getattr(response, "body", None)
        if (
            type(response).__call__ is not Response.__call__
            or not isinstance(body, bytes)
            or len(body) > self.max_entry_bytes
        ):
            return response
        entry = entry_for(response.status_code, response.raw_headers, body, vary)
        await save(backend, key, entry, headers, self.expires)
        if flight is not None:
            variant = variant_key(key, headers, entry.vary) if entry.vary else ""
            self.flights.land(key, flight, entry, variant)
        return response
