"""What may be cached, under which key, and reading and writing entries in a backend.

Shared by `@cache` and `CacheMiddleware` so both cache exactly the same things.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlencode

from .backends import CacheBackend
from .entry import CachedResponse, VaryIndex, wall_clock

logger = logging.getLogger("altapi.cache")

RawHeaders = list[tuple[bytes, bytes]]

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
_NOT_STORED = (b"age", b"x-cache")
_HIT = (b"x-cache", b"HIT")
MISS = (b"x-cache", b"MISS")


def has_authorization(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    return any(name == b"authorization" for name, _ in headers)


def url_key(prefix: str, path: str, query: bytes) -> str:
    """`prefix:path?query` with the query's parameters sorted by name (values of a
    repeated name keep their order): the same for GET and HEAD."""
    if not query:
        return f"{prefix}:{path}"
    parts = [p for p in query.decode("latin-1").split("&") if p]
    parts.sort(key=lambda part: part.split("=", 1)[0])
    return f"{prefix}:{path}?{'&'.join(parts)}"


def storable(status: int, headers: RawHeaders, statuses: frozenset[int]) -> tuple[str, ...] | None:
    """The request headers named by `Vary` when the response may be stored, else None.

    Not stored: another status, a `Set-Cookie`, `Cache-Control: private / no-store`,
    `Vary: *` and event streams.
    """
    if status not in statuses:
        return None
    vary: list[str] = []
    for name, value in headers:
        if name == b"set-cookie":
            return None
        if name == b"cache-control":
            directives = {
                d.strip().split("=", 1)[0] for d in value.decode("latin-1").lower().split(",")
            }
            if "private" in directives or "no-store" in directives:
                return None
        elif name == b"content-type" and value.startswith(b"text/event-stream"):
            return None
        elif name == b"vary":
            for item in value.decode("latin-1").split(","):
                item = item.strip().lower()
                if item == "*":
                    return None
                if item and item not in vary:
                    vary.append(item)
    return tuple(sorted(vary))


def variant_key(key: str, request_headers: RawHeaders, names: tuple[str, ...]) -> str:
    """The key of the variant of `key` chosen by the request's values of `names`."""
    wanted = {name.encode("latin-1"): [] for name in names}  # type: dict[bytes, list[str]]
    for name, value in request_headers:
        values = wanted.get(name)
        if values is not None:
            values.append(value.decode("latin-1"))
    pairs = [(name.decode("latin-1"), ",".join(values)) for name, values in wanted.items()]
    return f"{key}#vary:{urlencode(pairs)}"


def entry_for(
    status: int, headers: RawHeaders, body: bytes, vary: tuple[str, ...]
) -> CachedResponse:
    kept = [(k, v) for k, v in headers if k not in _NOT_STORED]
    if not any(k == b"content-length" for k, _ in kept):
        kept.append((b"content-length", str(len(body)).encode()))
    return CachedResponse(status, kept, body, wall_clock(), vary)


def hit_headers(entry: CachedResponse) -> RawHeaders:
    age = max(0, int(wall_clock() - entry.stored_at))
    return [*entry.headers, (b"age", str(age).encode()), _HIT]


async def lookup(
    backend: CacheBackend, key: str, request_headers: RawHeaders
) -> CachedResponse | None:
    """The stored response for this request, following a VaryIndex to its variant."""
    try:
        value = await backend.get(key)
        if isinstance(value, VaryIndex):
            value = await backend.get(variant_key(key, request_headers, value.names))
    except Exception:
        logger.warning(
            "cache backend %r failed to read %r; serving uncached", backend, key, exc_info=True
        )
        return None
    return value if isinstance(value, CachedResponse) else None


async def save(
    backend: CacheBackend,
    key: str,
    entry: CachedResponse,
    request_headers: RawHeaders,
    expires: float | None,
) -> None:
    try:
        if entry.vary:
            await backend.set(key, VaryIndex(entry.vary), expires)
            await backend.set(variant_key(key, request_headers, entry.vary), entry, expires)
        else:
            await backend.set(key, entry, expires)
    except Exception:
        logger.warning("cache backend %r failed to store %r", backend, key, exc_info=True)
