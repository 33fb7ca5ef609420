"""What waiting for a body chunk costs under body_timeout: a bare receive, an anyio cancel
scope per wait, a timer handle per wait, and receive_within (deadlines.py). Medians."""

import asyncio
import statistics
import time

import anyio

from altapi_core.deadlines import receive_within


async def receive():
    return 1


async def scope_way(r, s):
    with anyio.CancelScope(deadline=anyio.current_time() + s):
        return await r()


async def timer_way(r, s):
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    fired = False

    def expire():
        nonlocal fired
        fired = True
        task.cancel()

    h = loop.call_later(s, expire)
    try:
        return await r()
    finally:
        h.cancel()


async def plain(r, s):
    return await r()


async def main():
    ways = {"plain": plain, "anyio-scope": scope_way, "timer": timer_way, "watcher": receive_within}
    res = {k: [] for k in ways}
    n = 3000
    for _ in range(21):
        for k, f in ways.items():
            t = time.perf_counter()
            for _ in range(n):
                await asyncio.sleep(0)
                await f(receive, 30)
            res[k].append((time.perf_counter() - t) / n * 1e9)
    base = statistics.median(res["plain"])
    for k, v in res.items():
        print(k, round(statistics.median(v)), "ns", f"+{round(statistics.median(v) - base)}")


asyncio.run(main())
