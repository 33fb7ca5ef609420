"""`CacheManager`: the default backend and key prefix that `@cache` and the middleware use."""

from __future__ import annotations

import os
from typing import ClassVar

from .backends import CacheBackend, InMemoryCache

__all__ = ["CacheManager"]


class CacheManager:
    """Process-wide defaults, read at request time (so `init` may come after the routes).

    The default backend is an `InMemoryCache` created on first use in each
    worker process; a forked worker never inherits its parent's entries.
    """

    prefix: ClassVar[str] = "altapi-cache"
    _backend: ClassVar[CacheBackend | None] = None

    @classmethod
    def init(cls, backend: CacheBackend | None = None, *, prefix: str = "altapi-cache") -> None:
        """Use `backend` (default: a fresh InMemoryCache) and `prefix` from now on."""
        cls._backend = backend
        cls.prefix = prefix

    @classmethod
    def get_backend(cls) -> CacheBackend:
        backend = cls._backend
        if backend is None:
            backend = cls._backend = InMemoryCache()
        return backend

    @classmethod
    def reset(cls) -> None:
        """Back to the defaults: a new InMemoryCache on next use, the default prefix."""
        cls._backend = None
        cls.prefix = "altapi-cache"

    @classmethod
    async def clear(cls) -> None:
        await cls.get_backend().clear()


def _forget_inherited_memory_cache() -> None:
    if isinstance(CacheManager._backend, InMemoryCache):
        CacheManager._backend = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_memory_cache)
