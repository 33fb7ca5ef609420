"""`RedisRateLimiter`: the same exact sliding window, kept in Redis for several machines.

    pip install 'altapi-ratelimit[redis]'

    limiter = RedisRateLimiter(10, 60, url="redis://localhost:6379/0")
    @app.get("/api")
    @rate_limit(10, 60, limiter=limiter)
    async def api(request): ...

Each rule of a key is a sorted set of admission times (Redis server time, so the
machines' clocks do not matter). One Lua script per hit trims each set to its
window, counts, and adds the new admission to every set only if every rule
admits it: atomic on the server, so no lost update and no over-admission.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from .limiter import Decision

__all__ = ["RedisRateLimiter"]

# KEYS: one sorted set per rule. ARGV: a unique member suffix, then limit and
# period (ms) per rule. Returns {allowed, now_ms, count_1, oldest_1, count_2, ...}.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local allowed = 1
local out = {0, now}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local period = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - period)
  local count = redis.call('ZCARD', KEYS[i])
  local oldest = now
  local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if #first > 0 then oldest = tonumber(first[2]) end
  out[2 * i + 1] = count
  out[2 * i + 2] = oldest
  if count >= limit then allowed = 0 end
end
if allowed == 1 then
  for i = 1, #KEYS do
    redis.call('ZADD', KEYS[i], now, now .. '-' .. ARGV[1])
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]))
  end
end
out[1] = allowed
return out
"""


class RedisRateLimiter:
    """`RedisRateLimiter(limit, period, url=..., client=None, prefix="altapi-rl", name=...)`.

    Same semantics as `RateLimiter` (or `rules=[(limit, period), ...]`), but
    `hit` is a coroutine. Give `client` (a `redis.asyncio.Redis`) or `url`.
    """

    def __init__(
        self,
        limit: int | None = None,
        period: float | None = None,
        *,
        rules: Sequence[tuple[int, float]] | None = None,
        url: str | None = None,
        client: Any = None,
        prefix: str = "altapi-rl",
        name: str = "default",
    ) -> None:
        if rules is None:
            if limit is None or period is None:
                raise TypeError("give limit and period, or rules=[(limit, period), ...]")
            rules = [(limit, period)]
        self.rules = [(int(limit), float(period)) for limit, period in rules]
        for rule_limit, rule_period in self.rules:
            if rule_limit < 1 or not rule_period > 0:
                raise ValueError(
                    f"limit must be >= 1 and period > 0, not {rule_limit}/{rule_period}"
                )
        if client is None:
            if url is None:
                raise TypeError("give url= or client=")
            try:
                import redis.asyncio
            except ImportError:
                raise RuntimeError(
                    "RedisRateLimiter needs redis-py: pip install 'altapi-ratelimit[redis]'"
                ) from None
            client = redis.asyncio.Redis.from_url(url)
        self.client = client
        self.prefix = f"{prefix}:{name}"
        self._script = client.register_script(_SCRIPT)
        self._args = [arg for limit, period in self.rules for arg in (limit, int(period * 1000))]

    def clock(self) -> float:
        return time.time()

    async def hit(self, key: str | bytes) -> Decision:
        """Count one request for `key` if every rule admits it; say whether it was."""
        text = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
        keys = [f"{self.prefix}:{i}:{text}" for i in range(len(self.rules))]
        raw = await self._script(keys=keys, args=[os.urandom(6).hex(), *self._args])
        allowed, now = bool(int(raw[0])), int(raw[1]) / 1000
        per_rule = [
            (int(raw[2 + 2 * i]), int(raw[3 + 2 * i]) / 1000) for i in range(len(self.rules))
        ]
        if allowed:
            index = min(range(len(self.rules)), key=lambda i: self.rules[i][0] - per_rule[i][0])
            limit, period = self.rules[index]
            count, oldest = per_rule[index]
            return Decision(True, limit, limit - count - 1, oldest + period, 0.0)
        waits = [
            (oldest + period - now, i)
            for i, ((limit, period), (count, oldest)) in enumerate(
                zip(self.rules, per_rule, strict=True)
            )
            if count >= limit
        ]
        wait, index = max(waits)
        wait = max(wait, 0.001)
        return Decision(False, self.rules[index][0], 0, now + wait, wait)

    async def aclose(self) -> None:
        """Close the connection pool (the decorators do it at the app's shutdown)."""
        await self.client.aclose()

    close = aclose

    def __repr__(self) -> str:
        rules = ", ".join(f"{limit}/{period:g}s" for limit, period in self.rules)
        return f"RedisRateLimiter({rules}, prefix={self.prefix!r})"
