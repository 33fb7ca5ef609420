"""Instructions per request or per hit (valgrind's callgrind), for A/B on a noisy machine.

    python benchmarks/ratelimit/instructions.py

Counts the instructions of N and of N + 4000 requests (or hits) and reports the
difference / 4000, so start-up cancels out: a route without and with
`@rate_limit`, and `RateLimiter.hit` on one hot key (compiled table). The tables
live in a private directory so the start-up sweep of /dev/shm cannot differ
between the two runs. Needs valgrind (Debian).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import per_call_instructions

DRIVER = """
import asyncio, sys, uuid
sys.path.insert(0, {benchmarks!r})
from _harness import _receive, _send, http_scope
from altapi_core import AltAPI
from altapi_ratelimit import RateLimiter, rate_limit

contender, directory, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
options = dict(slots=64, directory=directory, namespace=uuid.uuid4().hex)
app = AltAPI()
if contender == "limited":
    @app.get("/")
    @rate_limit(10**5, 3600, **options)
    async def limited() -> dict:
        return {{"ok": True}}
else:
    @app.get("/")
    async def plain() -> dict:
        return {{"ok": True}}

async def requests():
    for _ in range(n):
        await app(http_scope("GET", "/"), _receive, _send)

def hits(hit):
    for _ in range(n):
        hit("127.0.0.1")

if contender == "hit":
    limiter = RateLimiter(10**5, 3600, name="hit", **options)
    limiter.hit("127.0.0.1")  # opens the table: `limiter.hit` is the C one from now on
    hits(limiter.hit)
    limiter.close()
else:
    asyncio.run(requests())
"""


def main() -> None:
    counts = {}
    with tempfile.TemporaryDirectory() as directory:
        script = os.path.join(directory, "driver.py")
        with open(script, "w") as driver:
            driver.write(DRIVER.format(benchmarks=str(Path(__file__).resolve().parents[1])))
        for contender in ("plain", "limited", "hit"):
            counts[contender] = per_call_instructions(script, contender, directory)
    print("| contender | instructions |\n|---|---:|")
    print(f"| route without @rate_limit, per request | {counts['plain']:,.0f} |")
    print(f"| route with @rate_limit, per request | {counts['limited']:,.0f} |")
    print(f"| RateLimiter.hit, one hot key, per hit | {counts['hit']:,.0f} |")
    print(f"\ncost of @rate_limit: {counts['limited'] - counts['plain']:,.0f} instructions")


if __name__ == "__main__":
    main()
