"""`Cache`: the cache extension, the app's cache settings and its cached routes.

`altapi.AltAPI(cache_timeout=...)` attaches it, and `app.cache(path)` is its
`route`; with `altapi_core.AltAPI`, `app.add_extension(Cache(timeout=...))`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .decorator import cache_layer

__all__ = ["Cache"]

F = TypeVar("F", bound=Callable[..., Any])


class Cache:
    """`app.extensions["cache"]`. `timeout`: the seconds a `route()` keeps its response
    unless it says otherwise (None: until evicted)."""

    name = "cache"

    def __init__(self, timeout: float | None = 300) -> None:
        self.timeout = timeout
        self.app: Any = None

    def setup(self, app: Any) -> None:
        if self.app is not None and self.app is not app:
            raise ValueError("a Cache extension belongs to one app; make one for each")
        self.app = app

    def route(self, path: str, expires: float | None = None) -> Callable[[F], F]:
        """Register a cached GET route: `@app.get(path)` over `@cache(expires)`, where
        `expires` defaults to `timeout`."""
        if self.app is None:
            raise RuntimeError("attach the Cache extension first: app.add_extension(Cache())")
        lifetime = self.timeout if expires is None else expires

        def register(func: F) -> F:
            # The layer goes in as a route option, not on `func`: one function may
            # serve several cached paths.
            self.app.add_route(path, func, ["GET"], guards=[cache_layer(expires=lifetime)])
            return func

        return register
