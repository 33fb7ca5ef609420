"""altapi-ratelimit: exact sliding-window rate limits shared by all worker processes.

See docs/ratelimit.md for the algorithm, the shared-memory layout and the locking.
"""

from .__about__ import __version__
from .decorators import rate_limit, rate_limit_batch
from .limiter import Decision, RateLimiter
from .middleware import RateLimitMiddleware

__all__ = [
    "Decision",
    "RateLimitMiddleware",
    "RateLimiter",
    "__version__",
    "rate_limit",
    "rate_limit_batch",
]
