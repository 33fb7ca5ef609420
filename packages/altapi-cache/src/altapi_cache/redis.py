"""`RedisCache`: a backend shared by every worker and machine using one Redis.

Needs a client: `pip install 'altapi-cache[redis]'` (redis-py, `redis.asyncio`),
or pass any object with the same async `get`, `set(name, value, px=)`,
`delete`, `mget`, `scan_iter(match=)` methods.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .backends import CacheBackend
from .entry import dumps, loads

__all__ = ["RedisCache"]

_GLOB_SPECIAL = {c: "\\" + c for c in "*?[]\\"}


class RedisCache(CacheBackend):
    """`RedisCache(url="redis://localhost:6379/0", prefix="altapi-cache:")` or
    `RedisCache(client=redis.asyncio.Redis(...))`.

    Values are encoded with `altapi_cache.entry.dumps` (no pickle: a shared
    Redis never makes this process unpickle untrusted data). Expiry is Redis's
    own (`PX`), so entries expire for every worker at once. `clear()` deletes
    only keys under `prefix`.
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        client: Any = None,
        prefix: str = "altapi-cache:",
    ) -> None:
        if client is None:
            try:
                import redis.asyncio
            except ImportError:
                raise ImportError(
                    "RedisCache needs the redis client: pip install 'altapi-cache[redis]'"
                ) from None
            client = redis.asyncio.Redis.from_url(url)
        self.client = client
        self.prefix = prefix

    async def get(self, key: str) -> Any:
        raw = await self.client.get(self.prefix + key)
        return None if raw is None else loads(raw)

    async def get_many(self, keys: Iterable[str]) -> list[Any]:
        names = [self.prefix + key for key in keys]
        if not names:
            return []
        return [None if raw is None else loads(raw) for raw in await self.client.mget(names)]

    async def set(self, key: str, value: Any, expires: float | None = None) -> None:
        if expires is not None and expires <= 0:
            await self.delete(key)
            return
        px = None if expires is None else max(1, int(expires * 1000))
        await self.client.set(self.prefix + key, dumps(value), px=px)

    async def delete(self, key: str) -> None:
        await self.client.delete(self.prefix + key)

    async def clear(self) -> None:
        pattern = "".join(_GLOB_SPECIAL.get(c, c) for c in self.prefix) + "*"
        batch: list[Any] = []
        async for name in self.client.scan_iter(match=pattern):
            batch.append(name)
            if len(batch) >= 500:
                await self.client.delete(*batch)
                batch = []
        if batch:
            await self.client.delete(*batch)

    async def aclose(self) -> None:
        close = getattr(self.client, "aclose", None)
        if close is not None:
            await close()

    def __repr__(self) -> str:
        return f"RedisCache(prefix={self.prefix!r})"
