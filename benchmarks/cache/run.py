"""In-process cost of @cache: a hit against the uncached route and a plain constant route.

    python benchmarks/cache/run.py

Three AltAPI apps answer GET /: `uncached` does 1 ms of (awaited) work and
returns a small JSON body; `cached` is the same handler under `@cache` (every
timed request is a hit: the warm-up stores the entry); `plain` returns a
constant without doing any work. Reported: median µs per request over
interleaved rounds, throughput, and the ratios measured in the same run.
Target: a hit costs no more than the plain route + 30%.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import compare, table

BODY = {"message": "Hello, World!", "items": list(range(10))}


def uncached_app():
    from altapi_core import AltAPI, JSONResponse

    app = AltAPI()

    @app.get("/")
    async def slow(request):
        await asyncio.sleep(0.001)  # stands for 1 ms of I/O or computation
        return JSONResponse(BODY)

    return app


def cached_app():
    from altapi_cache import InMemoryCache, cache
    from altapi_core import AltAPI, JSONResponse

    app = AltAPI()

    @app.get("/")
    @cache(expires=3600, backend=InMemoryCache())
    async def slow(request):
        await asyncio.sleep(0.001)
        return JSONResponse(BODY)

    return app


def plain_app():
    from altapi_core import AltAPI, JSONResponse

    app = AltAPI()

    @app.get("/")
    async def constant(request):
        return JSONResponse(BODY)

    return app


def main() -> None:
    fast = compare({"plain": plain_app(), "cached (hit)": cached_app()}, count=20000, rounds=9)
    slow = compare(
        {"uncached (1 ms work)": uncached_app(), "cached (hit)": cached_app()},
        count=200,
        rounds=5,
    )
    print(table("Cache hit against a plain constant route", fast, "plain"))
    print()
    print(table("Cached against uncached (1 ms of work)", slow, "uncached (1 ms work)"))
    print()
    overhead = fast["cached (hit)"] / fast["plain"]
    speedup = slow["uncached (1 ms work)"] / slow["cached (hit)"]
    print(
        f"requests/s: plain {1e6 / fast['plain']:,.0f}, cached hit {1e6 / fast['cached (hit)']:,.0f}, "
        f"uncached {1e6 / slow['uncached (1 ms work)']:,.0f}"
    )
    print(
        f"hit / plain = {overhead:.2f}x (target <= 1.30x): {'met' if overhead <= 1.3 else 'NOT met'}"
    )
    print(f"uncached / cached = {speedup:.1f}x")


if __name__ == "__main__":
    main()
