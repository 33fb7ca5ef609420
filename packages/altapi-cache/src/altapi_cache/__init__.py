"""altapi-cache: response caching for AltAPI with pluggable backends.

`@cache(...)` under a route decorator, `app.cache(path)` (the `Cache` extension), or
`CacheMiddleware` for a whole app; `InMemoryCache` per worker by default,
`altapi_cache.redis.RedisCache` to share between workers.
"""

from .__about__ import __version__
from .backends import CacheBackend, InMemoryCache
from .decorator import cache
from .extension import Cache
from .manager import CacheManager
from .middleware import CacheMiddleware

__all__ = [
    "Cache",
    "CacheBackend",
    "CacheManager",
    "CacheMiddleware",
    "InMemoryCache",
    "__version__",
    "cache",
]
