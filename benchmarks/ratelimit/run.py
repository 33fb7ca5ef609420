"""RateLimiter.hit throughput against an in-process dict limiter, in the same run.

    python benchmarks/ratelimit/run.py

Both contenders implement the same exact sliding log. The baseline keeps each
key's log in a dict of deques inside one process (no sharing, no locking);
RateLimiter keeps it in the shared-memory table under the cross-process lock.
Reported: median hits per second over interleaved rounds, one hot key and
1,000 keys.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections import deque
from collections.abc import Callable

from altapi_ratelimit import RateLimiter

HITS = 20_000
ROUNDS = 7


class DictLimiter:
    """The baseline: a sliding log per key in a dict, valid for one process only."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.logs: dict[str, deque[float]] = {}

    def hit(self, key: str) -> bool:
        now = time.time()
        log = self.logs.get(key)
        if log is None:
            log = self.logs[key] = deque()
        while log and log[0] <= now - self.period:
            log.popleft()
        if len(log) >= self.limit:
            return False
        log.append(now)
        return True


def _rate(hit: Callable[[str], object], keys: list[str]) -> float:
    count = len(keys)
    start = time.perf_counter()
    for key in keys:
        hit(key)
    return count / (time.perf_counter() - start)


def main() -> None:
    namespace = f"bench-{uuid.uuid4().hex}"
    shared = RateLimiter(100, 1.0, namespace=namespace, slots=4096)
    local = DictLimiter(100, 1.0)
    workloads = {
        "one key": ["hot"] * HITS,
        "1,000 keys": [f"client-{i % 1000}" for i in range(HITS)],
    }
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):  # interleaved: noise hits both contenders alike
        for workload, keys in workloads.items():
            for name, hit in (("RateLimiter (shm)", shared.hit), ("dict baseline", local.hit)):
                results.setdefault((workload, name), []).append(_rate(hit, keys))
    shared.close()
    print("| workload | limiter | hits/s (median) | µs/hit | vs baseline |")
    print("|---|---|---:|---:|---:|")
    for workload in workloads:
        base = statistics.median(results[(workload, "dict baseline")])
        for name in ("RateLimiter (shm)", "dict baseline"):
            rate = statistics.median(results[(workload, name)])
            print(f"| {workload} | {name} | {rate:,.0f} | {1e6 / rate:.2f} | {rate / base:.2f}x |")


if __name__ == "__main__":
    main()
