"""altapi-cache: response caching for AltAPI with pluggable backends.

`@cache(...)` under a route decorator, `app.cache(path)`, or
`CacheMiddleware` for a whole app; `InMemoryCache` per worker by default,
`altapi_cache.redis.RedisCache` to share between workers.
"""

from .__about__ import __version__
from .backends import CacheBackend, InMemoryCache
from .decorator import cache
from .manager import CacheManager
from .middleware import CacheMiddleware

__all__ = [
    "CacheBackend",
    "CacheManager",
    "CacheMiddleware",
    "InMemoryCache",
    "__version__",
    "cache",
]
