"""`CacheBackend`, the async storage interface, and `InMemoryCache`, the per-worker default."""

from __future__ import annotations

import sys
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["CacheBackend", "InMemoryCache"]


class CacheBackend(ABC):
    """Where cached values live. `expires` is in seconds; None means no expiry.

    Values are whatever the caller stores (the response cache stores
    `CachedResponse` and `VaryIndex` objects); a backend that leaves the
    process encodes them, as `RedisCache` does with `altapi_cache.entry.dumps`.
    """

    @abstractmethod
    async def get(self, key: str) -> Any:
        """The value stored under `key`, or None when missing or expired."""

    @abstractmethod
    async def set(self, key: str, value: Any, expires: float | None = None) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def clear(self) -> None:
        """Remove every value this backend stored."""

    async def get_many(self, keys: Iterable[str]) -> list[Any]:
        return [await self.get(key) for key in keys]

    async def set_many(self, items: Mapping[str, Any], expires: float | None = None) -> None:
        for key, value in items.items():
            await self.set(key, value, expires)


def _sizeof(value: Any) -> int:
    if isinstance(value, bytes | bytearray | str):
        return len(value)
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    return sys.getsizeof(value)


class InMemoryCache(CacheBackend):
    """A dict in this process with TTL and LRU eviction, bounded by entries and by bytes.

    Every operation is O(1) (an OrderedDict kept in recency order); expired
    values are dropped when read or when they reach the LRU end. The byte size
    of a value is `len()` for bytes/str, its `nbytes` when it has one (cached
    responses do), else `sys.getsizeof`. A value larger than `max_bytes` is not
    stored. Not shared between worker processes: use `RedisCache` for that.
    """

    def __init__(
        self,
        max_size: int = 1024,
        max_bytes: int = 64 * 1024 * 1024,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1 or max_bytes < 1:
            raise ValueError("max_size and max_bytes must be positive")
        self.max_size = max_size
        self.max_bytes = max_bytes
        self._clock = clock
        # key -> (value, deadline or 0.0 for none, size in bytes)
        self._data: OrderedDict[str, tuple[Any, float, int]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get_nowait(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        value, deadline, size = item
        if deadline and deadline <= self._clock():
            del self._data[key]
            self._bytes -= size
            return None
        self._data.move_to_end(key)
        return value

    def set_nowait(self, key: str, value: Any, expires: float | None = None) -> None:
        self.delete_nowait(key)
        size = _sizeof(value) + len(key)
        if size > self.max_bytes or (expires is not None and expires <= 0):
            return
        deadline = self._clock() + expires if expires is not None else 0.0
        self._data[key] = (value, deadline, size)
        self._bytes += size
        data = self._data
        while len(data) > self.max_size or self._bytes > self.max_bytes:
            _, (_, _, evicted) = data.popitem(last=False)
            self._bytes -= evicted

    def delete_nowait(self, key: str) -> None:
        item = self._data.pop(key, None)
        if item is not None:
            self._bytes -= item[2]

    async def get(self, key: str) -> Any:
        return self.get_nowait(key)

    async def set(self, key: str, value: Any, expires: float | None = None) -> None:
        self.set_nowait(key, value, expires)

    async def delete(self, key: str) -> None:
        self.delete_nowait(key)

    async def clear(self) -> None:
        self._data.clear()
        self._bytes = 0

    def __repr__(self) -> str:
        return (
            f"InMemoryCache({len(self._data)}/{self.max_size} entries, "
            f"{self._bytes}/{self.max_bytes} bytes)"
        )
