"""`RateLimits`: the rate-limit extension, which closes an app's limiters when it shuts down.

A rate-limited route attaches it when it is registered (`Guard.attach`); nothing is
added to the app while it serves. uvicorn workers end by re-raising SIGTERM, so
`atexit` never runs there: the app's shutdown is where a worker lets go of its
tables (and the last process using one removes its file).
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["RateLimits", "rate_limits"]


class RateLimits:
    """`app.extensions["ratelimit"]`: the limiters of the app's routes."""

    name = "ratelimit"

    def __init__(self) -> None:
        self.limiters: list[Any] = []

    def track(self, limiter: Any) -> None:
        if not any(known is limiter for known in self.limiters):
            self.limiters.append(limiter)

    async def shutdown(self) -> None:
        for limiter in self.limiters:
            closed = limiter.close()  # a RedisRateLimiter's close is a coroutine
            if inspect.isawaitable(closed):
                await closed


def rate_limits(app: Any) -> RateLimits:
    """The app's RateLimits, attached on first use."""
    attached = app.extensions.get(RateLimits.name)
    return attached if attached is not None else app.add_extension(RateLimits())
