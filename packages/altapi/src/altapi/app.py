"""`altapi.AltAPI`: the core app with the extensions of the altapi-* distributions attached.

The core `altapi_core.AltAPI` imports none of them; this is where they meet. Each
setting of an extension is a constructor argument here and lives in the extension
(`app.extensions["templates"].directory`, `app.extensions["cache"].timeout`). Rate
limits need nothing here: a rate-limited route attaches its extension when it is
registered. See docs/architecture.md, "Extensions".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import altapi_core
from altapi_cache import Cache
from altapi_core.lifespan import Lifespan
from altapi_core.middleware import Middleware
from altapi_templates import Templates

__all__ = ["AltAPI"]

F = TypeVar("F", bound=Callable[..., Any])


class AltAPI(altapi_core.AltAPI):
    """`AltAPI(middleware=None, templates_directory="templates", static_directory=None,
    cache_timeout=300, debug=False, max_body_size=10 MiB, lifespan=None, **options)`;
    `options` are those of `altapi_core.AltAPI`.

    `templates_directory` is where `render_template` looks; `cache_timeout` is how
    long `app.cache(path)` keeps a response (seconds; None: until evicted)."""

    def __init__(
        self,
        middleware: Sequence[Middleware] | None = None,
        templates_directory: str = "templates",
        static_directory: str | None = None,
        cache_timeout: float | None = 300,
        debug: bool = False,
        max_body_size: int | None = 10 * 1024 * 1024,
        lifespan: Lifespan | None = None,
        **options: Any,
    ) -> None:
        super().__init__(middleware, static_directory, debug, max_body_size, lifespan, **options)
        for extension in (Templates(templates_directory), Cache(timeout=cache_timeout)):
            if extension.name not in self.extensions:  # one passed in `extensions=` wins
                self.add_extension(extension)

    def cache(self, path: str, expires: float | None = None) -> Callable[[F], F]:
        """Register a cached GET route (`@app.get(path)` over `@cache(expires)`);
        `expires` defaults to the app's `cache_timeout`."""
        cache: Cache = self.extensions[Cache.name]
        return cache.route(path, expires)
