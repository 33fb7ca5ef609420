"""RateLimiter.hit throughput: compiled table, pure-Python table, `limits`, a dict.

    python benchmarks/ratelimit/run.py        # needs `pip install limits`

All contenders keep an exact sliding log of 100 hits per second per key. The
compiled table (`_ctable`, lock word) and the pure-Python one (`_table`, lockf)
keep it in the shared-memory table; `limits` (MemoryStorage, moving window) and
the dict baseline keep it inside one process (no sharing, so they have no
two-process figure). Reported: median hits per second over interleaved rounds,
one hot key and 1,000 keys, in one process and summed over two processes
hitting one table at once; and the cost `@rate_limit` adds to a route. The tables
go to benchmarks/results/ratelimit.json too, for benchmarks/charts.py.
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import compare, record

from altapi_ratelimit import RateLimiter, _compat
from altapi_ratelimit import _table as pure_table
from altapi_ratelimit import limiter as limiter_module

HITS = 20_000
ROUNDS = 7
LIMITS = "limits MemoryStorage, moving window"
FORK = multiprocessing.get_context("fork")


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


def limits_hit() -> Callable[[str], object]:
    from limits import RateLimitItemPerSecond
    from limits.storage import MemoryStorage
    from limits.strategies import MovingWindowRateLimiter

    strategy = MovingWindowRateLimiter(MemoryStorage())
    item = RateLimitItemPerSecond(100, 1)
    return lambda key: strategy.hit(item, key)


def shm_limiter(table_class: type, namespace: str, name: str) -> RateLimiter:
    saved = limiter_module.Table
    limiter_module.Table = table_class  # type: ignore[misc]
    try:
        limiter = RateLimiter(100, 1.0, namespace=namespace, name=name, slots=4096)
        limiter._open()
    finally:
        limiter_module.Table = saved  # type: ignore[misc]
    return limiter


def _rate(hit: Callable[[str], object], keys: list[str]) -> float:
    start = time.perf_counter()
    for key in keys:
        hit(key)
    return len(keys) / (time.perf_counter() - start)


def _two_processes(limiter: RateLimiter, keys: list[str]) -> float:
    """Hits per second summed over two forked processes hitting the table at once."""
    barrier = FORK.Barrier(3)
    done = FORK.Queue()

    def work() -> None:
        limiter.hit(keys[0])  # reopen in the child before the clock starts
        barrier.wait()
        start = time.perf_counter()
        for key in keys:
            limiter.hit(key)
        done.put(time.perf_counter() - start)

    workers = [FORK.Process(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    barrier.wait()
    elapsed = max(done.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join()
    return 2 * len(keys) / elapsed


def route_overhead() -> dict[str, float]:
    """µs per request through an ASGI app: the same route without and with @rate_limit."""
    from altapi_core import AltAPI
    from altapi_ratelimit import rate_limit

    plain, limited = AltAPI(), AltAPI()

    @plain.get("/")
    async def home() -> dict[str, bool]:
        return {"ok": True}

    @limited.get("/")
    @rate_limit(10**6, 3600, namespace=f"bench-{uuid.uuid4().hex}")
    async def home_limited() -> dict[str, bool]:
        return {"ok": True}

    return compare({"plain": plain, "limited": limited}, count=5_000, rounds=ROUNDS)


def main() -> None:
    namespace = f"bench-{uuid.uuid4().hex}"
    shm: dict[str, RateLimiter] = {}
    if _compat.COMPILED:
        shm["AltAPI compiled table (lock word)"] = shm_limiter(_compat.Table, namespace, "c")
    else:
        print("the compiled table is not built: pure-Python figures only", file=sys.stderr)
    shm["AltAPI pure-Python table (lockf)"] = shm_limiter(pure_table.Table, namespace, "py")
    local: dict[str, Callable[[str], object]] = {}
    try:
        local[LIMITS] = limits_hit()
    except ImportError:
        print("`limits` is not installed (pip install limits): no baseline", file=sys.stderr)
    local["dict baseline (no sharing, no lock)"] = DictLimiter(100, 1.0).hit
    workloads = {
        "one key": ["hot"] * HITS,
        "1,000 keys": [f"client-{i % 1000}" for i in range(HITS)],
    }
    results: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(ROUNDS):  # interleaved: noise hits every contender alike
        for workload, keys in workloads.items():
            for name, limiter in shm.items():
                results.setdefault((workload, "1", name), []).append(_rate(limiter.hit, keys))
            for name, hit in local.items():
                results.setdefault((workload, "1", name), []).append(_rate(hit, keys))
            for name, limiter in shm.items():
                rate = _two_processes(limiter, keys)
                results.setdefault((workload, "2", name), []).append(rate)
    for limiter in shm.values():
        limiter.close()
    print(f"median of {ROUNDS} interleaved rounds of {HITS:,} hits per process\n")
    print("| workload | processes | limiter | hits/s | µs/hit | vs `limits` |")
    print("|---|---:|---|---:|---:|---:|")
    charts: dict[str, dict[str, float]] = {workload: {} for workload in workloads}
    for (workload, processes, name), rates in results.items():
        rate = statistics.median(rates)
        base = results.get((workload, "1", LIMITS))
        versus = f"{rate / statistics.median(base):.1f}x" if base else "-"
        micros = 1e6 / rate * (int(processes))  # per hit, as each process sees it
        print(f"| {workload} | {processes} | {name} | {rate:,.0f} | {micros:.2f} | {versus} |")
        charts[workload][name if processes == "1" else f"{name}, 2 processes summed"] = rate
    for workload, chart in charts.items():
        baseline = LIMITS if LIMITS in chart else None
        record(f"RateLimiter.hit, {workload}: hits per second", "hits/s", chart, baseline)
    overhead = route_overhead()
    plain, limited = overhead["plain"], overhead["limited"]
    chart = {"AltAPI route": plain, "AltAPI route with @rate_limit": limited}
    record("A route without and with @rate_limit", "µs/request", chart, "AltAPI route")
    print(f"\nroute without @rate_limit: {plain:.2f} µs/request; with it: {limited:.2f} µs")
    print(f"cost of @rate_limit ({_compat.Table.__module__}): {limited - plain:.2f} µs")


if __name__ == "__main__":
    main()
