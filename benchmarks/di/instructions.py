"""Instructions per request (valgrind's callgrind), for figures a noisy machine cannot blur.

    python benchmarks/di/instructions.py

Counts the instructions of N and of N + 4000 requests per contender of run.py and
reports the difference / 4000: start-up cancels out. Needs valgrind (Debian).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import per_call_instructions

HERE = Path(__file__).resolve().parent
DRIVER = """
import asyncio, sys
sys.path.insert(0, {benchmarks!r}); sys.path.insert(0, {here!r})
import run
from _harness import _receive, _send, _startup, http_scope
app = {{"raw": lambda: run.raw_asgi, "deps": run.altapi_app, "plain": run.altapi_plain}}[sys.argv[1]]()
async def main():
    await _startup(app)
    for _ in range(int(sys.argv[2])):
        await app(http_scope("GET", "/"), _receive, _send)
asyncio.run(main())
"""


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as driver:
        driver.write(DRIVER.format(benchmarks=str(HERE.parent), here=str(HERE)))
    counts = {}
    for contender in ("raw", "plain", "deps"):
        counts[contender] = per_call_instructions(driver.name, contender)
    os.unlink(driver.name)
    raw = counts["raw"]
    print("| contender | instructions/request | ratio to raw ASGI |\n|---|---:|---:|")
    names = {
        "raw": "raw ASGI (3 calls by hand)",
        "plain": "AltAPI, no dependencies",
        "deps": "AltAPI, 3 dependencies",
    }
    for contender, count in counts.items():
        print(f"| {names[contender]} | {count:,.0f} | {count / raw:.2f}x |")
    print(f"\nwith dependencies / without: {counts['deps'] / counts['plain']:.2f}x")


if __name__ == "__main__":
    main()
